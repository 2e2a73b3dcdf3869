import { Logger } from '@nestjs/common';
import { ZooError, ZooErrorCode, ZooSession } from '@zoo/client';
import type { ZooModuleOptions } from './zoo-options.js';

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export type ZooConnectionOptions = Pick<ZooModuleOptions, 'connectionString' | 'clientOptions' | 'connectTimeoutMs' | 'startup'>;

/**
 * Owns the module's ZooSession and the startup policy: fail-fast (wait for the first connection
 * or fail naming the connection string) or lazy (connect in the background, retrying). The
 * session object is the same for the app's whole life; after an expiry it holds a new client.
 */
export class ZooConnection {
  readonly session: ZooSession;
  private readonly connected: Promise<ZooSession>;
  private resolveConnected!: (session: ZooSession) => void;
  private closed = false;
  private connecting?: Promise<void>;
  private readonly logger = new Logger('ZooModule');

  constructor(private readonly options: ZooConnectionOptions) {
    if (!options || typeof options.connectionString !== 'string' || options.connectionString.trim() === '') {
      throw new TypeError('ZooModule: connectionString is required (e.g. "127.0.0.1:2181")');
    }
    const connectTimeout = options.clientOptions?.connectTimeout ?? options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.session = new ZooSession(options.connectionString, { ...options.clientOptions, connectTimeout });
    this.connected = new Promise((resolve) => (this.resolveConnected = resolve));
  }

  get mode(): 'fail-fast' | 'lazy' {
    return this.options.startup ?? 'fail-fast';
  }

  /** True once the first session is established (it stays true across expiry: the session renews itself). */
  get isStarted(): boolean {
    return this.session.started;
  }

  /** Resolves once connected the first time; never rejects (stays pending if the app closes first). */
  whenConnected(): Promise<ZooSession> {
    return this.connected;
  }

  /** Fail-fast: connects or throws. Lazy: starts connecting in the background and returns. */
  async start(): Promise<void> {
    if (this.mode === 'lazy') {
      this.connecting = this.connectInBackground();
      return;
    }
    try {
      await this.session.start();
    } catch (err) {
      const timeout = this.options.clientOptions?.connectTimeout ?? this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
      throw new ZooError(
        ZooErrorCode.CONNECTIONLOSS,
        `ZooModule: cannot connect to the coordination service at "${this.options.connectionString}" within ${timeout} ms ` +
          `(${err instanceof Error ? err.message : String(err)}). Check connectionString, raise connectTimeoutMs, or use startup: 'lazy' to start without it.`,
        { cause: err },
      );
    }
    this.resolveConnected(this.session);
  }

  private async connectInBackground(): Promise<void> {
    let delay = 250;
    let attempts = 0;
    while (!this.closed) {
      try {
        await this.session.start();
        if (this.closed) break;
        if (attempts > 0) this.logger.log(`connected to ${this.options.connectionString} after ${attempts} failed attempt(s)`);
        this.resolveConnected(this.session);
        return;
      } catch (err) {
        if (this.closed) break;
        // one line for the first failure and then every tenth, not one per retry
        if (attempts++ % 10 === 0) this.logger.warn(`not connected to ${this.options.connectionString} yet (startup: 'lazy'), retrying: ${err instanceof Error ? err.message : String(err)}`);
        await new Promise((r) => setTimeout(r, delay).unref());
        delay = Math.min(delay * 2, 5000);
      }
    }
    // closed while connecting: a client that got through after close() is closed here
    await this.session.close();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.session.close();
    await this.connecting;
  }
}
