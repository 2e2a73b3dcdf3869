import { EventEmitter } from 'node:events';
import { ZooSession } from '@zoo/client';
import { ConfigWriter } from '@zoo/config';
import { ServiceDiscovery, type ServiceInstance } from '@zoo/discovery';
import { forkService, stopProcess, type DemoProcess } from './demo-process.js';
import { DEFAULT_SESSION_TIMEOUT } from './roles.js';

/** The demo configuration of demo-orders (`zoo config set demo-orders greeting hi` changes it live). */
export const DEMO_CONFIG = { greeting: 'Welcome to the Zoo', currency: 'EUR', 'max.quantity': '5' };

export interface DemoOptions {
  /** An existing ZooKeeper / Zoo ensemble (host:port,...): no embedded server is started. */
  connect?: string;
  /** The Zoo server's client port (0 = free); ignored with `connect`. */
  zooPort?: number;
  /** The Zoo server's admin HTTP port (0 = free; none when undefined). */
  adminPort?: number;
  /** Durable data dir of the Zoo server; in-memory without it. */
  dataDir?: string;
  gatewayPort?: number;
  dashboardPort?: number;
  /** Session timeout of every demo service, ms (default 6000). */
  sessionTimeout?: number;
  /** Catalog instances to start (default 2). */
  catalogs?: number;
  /** Aborting it (Ctrl-C while starting) stops what has started and rejects the start. */
  signal?: AbortSignal;
}

export interface DemoUrls {
  zoo: string;
  admin?: string;
  gateway: string;
  dashboard: string;
  orders: string;
  catalogs: string[];
}

/**
 * The demo as separate processes: the Zoo server (unless `connect` names one), the catalogs,
 * orders, the gateway and the dashboard, each its own Node process from the built dist/.
 * Supervises without restarting: a process that dies emits `exit` and stays dead (the point of
 * the demo is to watch the others fail over). Also emits `registered`, `unregistered` and
 * `config` as the registry and /config/demo-orders change.
 */
export class Demo extends EventEmitter {
  readonly processes: DemoProcess[] = [];
  private readonly session: ZooSession;
  private discovery?: ServiceDiscovery;
  private stopping?: Promise<void>;

  private constructor(
    readonly connectionString: string,
    readonly options: DemoOptions,
    private readonly zoo?: DemoProcess,
  ) {
    super();
    this.session = new ZooSession(connectionString, { sessionTimeout: this.sessionTimeout });
  }

  get sessionTimeout(): number {
    return this.options.sessionTimeout ?? DEFAULT_SESSION_TIMEOUT;
  }

  get urls(): DemoUrls {
    const of = (role: string) => this.processes.filter((p) => p.role === role).map((p) => p.url);
    return { zoo: this.connectionString, admin: this.zoo?.admin, gateway: of('gateway')[0], dashboard: of('dashboard')[0], orders: of('orders')[0], catalogs: of('catalog') };
  }

  /** Everything running, the Zoo server first. */
  get all(): DemoProcess[] {
    return this.zoo ? [this.zoo, ...this.processes] : [...this.processes];
  }

  static async start(options: DemoOptions = {}): Promise<Demo> {
    const aborted = () => options.signal?.throwIfAborted();
    aborted();
    let zoo: DemoProcess | undefined;
    if (!options.connect) {
      const args = ['--port', String(options.zooPort ?? 0)];
      if (options.adminPort !== undefined) args.push('--admin-port', String(options.adminPort));
      if (options.dataDir) args.push('--data-dir', options.dataDir);
      zoo = await forkService('zoo', args);
    }
    const demo = new Demo(options.connect ?? zoo!.url, options, zoo);
    if (zoo) demo.watch(zoo);
    try {
      aborted();
      await demo.observe();
      const catalogs = options.catalogs ?? 2;
      for (let i = 1; i <= catalogs; i++) {
        aborted();
        await demo.spawn('catalog', ['--name', `catalog-${i}`]);
      }
      aborted();
      await demo.spawn('orders', []);
      aborted();
      await demo.spawn('gateway', ['--port', String(options.gatewayPort ?? 0)]);
      aborted();
      await demo.spawn('dashboard', ['--port', String(options.dashboardPort ?? 0), ...(zoo?.admin ? ['--admin-url', zoo.admin] : [])]);
      aborted();
      return demo;
    } catch (err) {
      await demo.stop();
      throw err;
    }
  }

  /** Stops every service (each unregisters), then the Zoo server. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await Promise.all(this.processes.map((p) => stopProcess(p)));
      await this.discovery?.close().catch(() => {});
      await this.session.close().catch(() => {});
      if (this.zoo) await stopProcess(this.zoo);
    })();
    return this.stopping;
  }

  private async spawn(role: 'catalog' | 'orders' | 'gateway' | 'dashboard', args: string[]): Promise<DemoProcess> {
    const p = await forkService(role, ['--connect', this.connectionString, '--session-timeout', String(this.sessionTimeout), ...args]);
    this.processes.push(p);
    this.watch(p);
    return p;
  }

  /** Reports a process that dies on its own; nothing is restarted. */
  private watch(p: DemoProcess): void {
    void p.exited.then(({ code, signal }) => {
      if (this.stopping) return;
      const i = this.processes.indexOf(p);
      if (i >= 0) this.processes.splice(i, 1);
      this.emit('exit', p, code, signal);
    });
  }

  /** Seeds the demo config (first run only) and follows the registry and the config. */
  private async observe(): Promise<void> {
    await this.session.start();
    const writer = new ConfigWriter(this.session.client);
    const current = await writer.read('/config/demo-orders').catch(() => ({}));
    if (Object.keys(current).length === 0) await writer.import('/config/demo-orders', DEMO_CONFIG);
    this.discovery = new ServiceDiscovery(this.session);
    for (const name of ['catalog', 'orders']) {
      const cache = await this.discovery.cache(name);
      cache.on('added', (i: ServiceInstance) => this.emit('registered', i));
      cache.on('removed', (i: ServiceInstance) => this.emit('unregistered', i));
    }
    const onConfig = (e: { path: string | null }) => void (e.path && this.emit('config', e.path));
    await this.session.client.addWatch('/config/demo-orders', onConfig, 'persistentRecursive');
    this.session.on('session', (client: ZooSession['client']) => void client.addWatch('/config/demo-orders', onConfig, 'persistentRecursive').catch(() => {}));
  }
}

/** Starts the demo as separate processes (see {@link Demo}). */
export function startDemo(options: DemoOptions = {}): Promise<Demo> {
  return Demo.start(options);
}
