import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ZooSession } from '@zoo/client';
import { ServiceRegistry, type HealthCheck, type InstanceInput, type ServiceInstance } from '@zoo/discovery';
import { detectAddress } from './detect-address.js';
import { HttpDrainer } from './http-drainer.js';
import { resolveSession, type SessionSource } from './session-source.js';

export interface RegistrationOptions extends SessionSource {
  service: Omit<InstanceInput, 'port' | 'address'> & { address?: string; port?: number };
  basePath?: string;
  healthCheck?: HealthCheck;
  /** Shut down gracefully on SIGTERM/SIGINT, then exit if nothing else listens for the signal (default true). */
  handleSignals?: boolean;
  /** Register through this registry (shared with the rest of the app) instead of a new one. */
  registry?: ServiceRegistry;
  /** How long requests in flight may take to finish once shutdown starts; then they are cut (default 10 s). */
  shutdownTimeoutMs?: number;
  /**
   * Time between unregistering and refusing connections, for consumers that cache the registry
   * and do not retry elsewhere (default 0: Zoo's discovery proxy retries a refused connection).
   */
  unregisterDelayMs?: number;
  /**
   * What the registry could not do in the background or at shutdown: re-register after a new
   * session, a health check's change, unregister while the coordination service is unreachable.
   * None of these stops the app or its shutdown (as Curator's ServiceDiscovery logs them).
   * Default: a warning on stderr. (A shared `registry` reports through its own 'error' listeners.)
   */
  onError?: (err: Error) => void;
}

/**
 * Registers an Express (any node:http) server's instance when it starts listening — the port
 * comes from the server — and shuts down in the order a registry needs: unregister, stop
 * accepting connections, let requests in flight finish (up to a deadline), close the session.
 *
 *   const registration = zooRegistration({ connectionString, service: { name: 'catalog' } });
 *   registration.attach(app.listen(0));
 */
export class ZooRegistration {
  private registry?: ServiceRegistry;
  private sessionValue?: ZooSession;
  private instanceValue?: ServiceInstance;
  private drainer?: HttpDrainer;
  private stopping?: Promise<void>;
  private registering?: Promise<void>;
  private release?: () => Promise<void>;
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

  /** The coordination session in use (undefined until registration started), e.g. for zooHealth. */
  get session(): ZooSession | undefined {
    return this.sessionValue;
  }

  /** Starts watching the server: registers on 'listening' (or now, if it already listens). */
  attach(server: Server): Server {
    this.drainer = new HttpDrainer(server);
    const go = () => void (this.registering = this.register(server).catch((err) => this.rejectRegistered(err)));
    if (server.listening) go();
    else server.once('listening', go);
    server.once('close', () => void this.stop());
    if (this.options.handleSignals !== false) {
      for (const signal of ['SIGTERM', 'SIGINT'] as const) {
        const handler = () => {
          void this.stop().finally(() => {
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
      const { session, release } = await resolveSession(this.options);
      this.sessionValue = session;
      this.release = release;
      this.registry = new ServiceRegistry(session, { basePath: this.options.basePath });
      // (an EventEmitter's 'error' with no listener throws: here it would reject stop() or crash the app)
      const service = `${this.options.service.name}${this.options.service.id ? `/${this.options.service.id}` : ''}`;
      this.registry.on('error', this.options.onError ?? ((err: Error) => console.warn(`zooRegistration (${service}): ${err.message}`)));
    }
    const port = this.options.service.port ?? (server.address() as AddressInfo).port;
    const instance = await this.registry.register({ ...this.options.service, address: this.options.service.address ?? detectAddress(), port }, { healthCheck: this.options.healthCheck });
    this.instanceValue = instance;
    this.resolveRegistered(instance);
  }

  /**
   * Graceful shutdown: unregister, stop accepting connections, let requests in flight finish
   * (idle keep-alive connections closed at once, the others after their response, all of them at
   * the deadline), then close the session if this registration opened it. Idempotent.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const [signal, handler] of this.signalHandlers) process.off(signal, handler);
      await this.registering; // never rejects; undefined when the server never listened
      const instance = this.instanceValue;
      // a shared registry stays open for the rest of the app: take out only our instance
      if (this.options.registry) {
        if (instance) await this.registry?.unregister(instance);
      } else await this.registry?.close();
      if (this.options.unregisterDelayMs) await new Promise((r) => setTimeout(r, this.options.unregisterDelayMs));
      await this.drainer?.drain({ timeoutMs: this.options.shutdownTimeoutMs });
      await this.release?.();
    })();
    return this.stopping;
  }

  /** Same as stop(). */
  close(): Promise<void> {
    return this.stop();
  }
}

export function zooRegistration(options: RegistrationOptions): ZooRegistration {
  return new ZooRegistration(options);
}
