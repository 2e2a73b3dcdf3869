import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ServiceRegistry, type HealthCheck, type InstanceInput, type ServiceInstance } from '@zoo/discovery';
import { detectAddress } from './detect-address.js';
import { resolveSession, type SessionSource } from './session-source.js';

export interface RegistrationOptions extends SessionSource {
  service: Omit<InstanceInput, 'port' | 'address'> & { address?: string; port?: number };
  basePath?: string;
  healthCheck?: HealthCheck;
  /** Unregister on SIGTERM/SIGINT before the process exits (default true). */
  handleSignals?: boolean;
  /** Register through this registry (shared with the rest of the app) instead of a new one. */
  registry?: ServiceRegistry;
}

/**
 * Registers an Express (any node:http) server's instance when it starts listening — the port
 * comes from the server — and unregisters it when the server closes or the process gets
 * SIGTERM/SIGINT.
 *
 *   const registration = zooRegistration({ connectionString, service: { name: 'catalog' } });
 *   registration.attach(app.listen(0));
 */
export class ZooRegistration {
  private registry?: ServiceRegistry;
  private instanceValue?: ServiceInstance;
  private closing?: Promise<void>;
  private ownedSessionClose?: () => Promise<void>;
  private readonly signalHandlers: Array<[NodeJS.Signals, () => void]> = [];
  /** Resolves with the instance once registered (rejects if registration fails). */
  readonly registered: Promise<ServiceInstance>;
  private resolveRegistered!: (i: ServiceInstance) => void;
  private rejectRegistered!: (e: unknown) => void;

  constructor(private readonly options: RegistrationOptions) {
    this.registered = new Promise((resolve, reject) => {
      this.resolveRegistered = resolve;
      this.rejectRegistered = reject;
    });
    this.registered.catch(() => {}); // observed through attach()'s callers
  }

  get instance(): ServiceInstance | undefined {
    return this.instanceValue;
  }

  /** Starts watching the server: registers on 'listening' (or now, if it already listens). */
  attach(server: Server): Server {
    const go = () => void this.register(server).catch((err) => this.rejectRegistered(err));
    if (server.listening) go();
    else server.once('listening', go);
    server.once('close', () => void this.close());
    if (this.options.handleSignals !== false) {
      for (const signal of ['SIGTERM', 'SIGINT'] as const) {
        const handler = () => {
          void this.close().finally(() => {
            // if nobody else handles the signal, exit as the default action would have
            if (process.listenerCount(signal) === 0) process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
          });
        };
        process.once(signal, handler);
        this.signalHandlers.push([signal, handler]);
      }
    }
    return server;
  }

  private async register(server: Server): Promise<void> {
    if (this.options.registry) {
      this.registry = this.options.registry;
    } else {
      const { session, owned } = await resolveSession(this.options);
      if (owned) this.ownedSessionClose = () => session.close();
      this.registry = new ServiceRegistry(session, { basePath: this.options.basePath });
    }
    const port = this.options.service.port ?? (server.address() as AddressInfo).port;
    const instance = await this.registry.register({ ...this.options.service, address: this.options.service.address ?? detectAddress(), port }, { healthCheck: this.options.healthCheck });
    this.instanceValue = instance;
    this.resolveRegistered(instance);
  }

  /** Unregisters (and closes the session if this registration opened it). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const [signal, handler] of this.signalHandlers) process.off(signal, handler);
      const instance = await this.registered.catch(() => undefined);
      // a shared registry stays open for the rest of the app: take out only our instance
      if (this.options.registry) {
        if (instance) await this.registry?.unregister(instance);
      } else await this.registry?.close();
      await this.ownedSessionClose?.();
    })();
    return this.closing;
  }
}

export function zooRegistration(options: RegistrationOptions): ZooRegistration {
  return new ZooRegistration(options);
}
