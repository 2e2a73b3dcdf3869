import { EventEmitter } from 'node:events';
import { CreateMode, ZooError, ZooErrorCode } from '@zoo/core';
import type { ZooClient, ZooSession } from '@zoo/client';
import { makeInstance, toCuratorJson, type InstanceInput, type ServiceInstance } from './service-instance.js';
import { ServicePaths } from './service-paths.js';

export interface HealthCheck {
  /** An HTTP URL that must answer 2xx, or a function that resolves true when healthy. */
  url?: string;
  check?: () => boolean | Promise<boolean>;
  intervalMs?: number;
  timeoutMs?: number;
  /** Consecutive failures before the instance is taken out; default 1. */
  failuresBeforeDown?: number;
}

interface Entry {
  instance: ServiceInstance;
  health?: HealthCheck;
  healthy: boolean;
  failures: number;
  timer?: NodeJS.Timeout;
}

/**
 * Registers service instances in Curator's layout (`<basePath>/<name>/<id>`, one JSON document
 * each, parents as containers, DYNAMIC instances ephemeral). Keeps them registered: after a
 * reconnect it checks they are still there, after session expiry it registers them again on the
 * new session. An optional health check takes an instance out while it fails.
 */
export class ServiceRegistry extends EventEmitter implements AsyncDisposable {
  private readonly paths: ServicePaths;
  private readonly entries = new Map<string, Entry>();
  private readonly onSession = () => void this.restoreAll('new session');
  private readonly onReconnected = () => void this.restoreAll('reconnected');

  constructor(
    private readonly session: ZooSession,
    options: { basePath?: string } = {},
  ) {
    super();
    this.paths = new ServicePaths(options.basePath);
    session.on('session', this.onSession);
    session.on('reconnected', this.onReconnected);
  }

  get basePath(): string {
    return this.paths.basePath;
  }

  /** Registers an instance; resolves once its node exists. */
  async register(input: InstanceInput, options: { healthCheck?: HealthCheck } = {}): Promise<ServiceInstance> {
    const instance = makeInstance(input);
    const key = this.key(instance);
    if (this.entries.has(key)) throw new Error(`instance ${instance.name}/${instance.id} is already registered`);
    const entry: Entry = { instance, health: options.healthCheck, healthy: true, failures: 0 };
    this.entries.set(key, entry);
    try {
      await this.write(this.session.client, instance);
    } catch (err) {
      this.entries.delete(key);
      throw err;
    }
    if (entry.health) this.startHealthChecks(entry);
    this.emit('registered', instance);
    return instance;
  }

  /** Replaces an instance's document (same name and id). */
  async update(instance: ServiceInstance): Promise<void> {
    const entry = this.entries.get(this.key(instance));
    if (!entry) throw new Error(`instance ${instance.name}/${instance.id} is not registered here`);
    entry.instance = instance;
    if (entry.healthy) await this.session.client.setData(this.paths.instance(instance.name, instance.id), toCuratorJson(instance));
  }

  async unregister(instance: Pick<ServiceInstance, 'name' | 'id'>): Promise<void> {
    const entry = this.entries.get(this.key(instance));
    if (!entry) return;
    this.entries.delete(this.key(instance));
    if (entry.timer) clearInterval(entry.timer);
    await this.remove(this.session.client, entry.instance).catch((err) => this.emit('error', err));
    this.emit('unregistered', entry.instance);
  }

  registered(): ServiceInstance[] {
    return [...this.entries.values()].map((e) => e.instance);
  }

  /** Unregisters everything and stops listening to the session (the session stays open). */
  async close(): Promise<void> {
    this.session.off('session', this.onSession);
    this.session.off('reconnected', this.onReconnected);
    await Promise.all([...this.entries.values()].map((e) => this.unregister(e.instance)));
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private key(i: Pick<ServiceInstance, 'name' | 'id'>): string {
    return `${i.name}/${i.id}`;
  }

  private async write(client: ZooClient, instance: ServiceInstance): Promise<void> {
    const path = this.paths.instance(instance.name, instance.id);
    const mode = isEphemeral(instance) ? CreateMode.EPHEMERAL : CreateMode.PERSISTENT;
    const data = toCuratorJson(instance);
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await client.create(path, data, { mode });
        return;
      } catch (err) {
        if (!(err instanceof ZooError)) throw err;
        if (err.code === ZooErrorCode.NONODE) {
          await this.createParents(client, instance.name);
          continue;
        }
        if (err.code === ZooErrorCode.NODEEXISTS) {
          // ours from before a reconnect, or a leftover: make it say what we say
          await client.setData(path, data);
          return;
        }
        throw err;
      }
    }
  }

  /** Curator creates the parents as containers, so empty services disappear by themselves. */
  private async createParents(client: ZooClient, name: string): Promise<void> {
    const parts = this.paths.service(name).split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      try {
        await client.create(`/${parts.slice(0, i).join('/')}`, null, { mode: 'container' });
      } catch (err) {
        if (!(err instanceof ZooError && err.code === ZooErrorCode.NODEEXISTS)) throw err;
      }
    }
  }

  private async remove(client: ZooClient, instance: ServiceInstance): Promise<void> {
    try {
      await client.delete(this.paths.instance(instance.name, instance.id));
    } catch (err) {
      if (err instanceof ZooError && err.code === ZooErrorCode.NONODE) return;
      // an ephemeral instance went with its session when the session expired: nothing left to take out
      if (err instanceof ZooError && err.code === ZooErrorCode.SESSIONEXPIRED && isEphemeral(instance)) return;
      throw err;
    }
  }

  private async restoreAll(why: string): Promise<void> {
    const client = this.session.client;
    for (const entry of this.entries.values()) {
      if (!entry.healthy) continue;
      try {
        const path = this.paths.instance(entry.instance.name, entry.instance.id);
        if (!(await client.exists(path))) {
          await this.write(client, entry.instance);
          this.emit('reregistered', entry.instance, why);
        }
      } catch (err) {
        this.emit('error', err);
      }
    }
  }

  private startHealthChecks(entry: Entry): void {
    const h = entry.health!;
    entry.timer = setInterval(() => void this.checkHealth(entry), h.intervalMs ?? 5000);
    entry.timer.unref();
  }

  private async checkHealth(entry: Entry): Promise<void> {
    const h = entry.health!;
    let ok = false;
    try {
      if (h.check) ok = await h.check();
      else if (h.url) {
        const res = await fetch(h.url, { signal: AbortSignal.timeout(h.timeoutMs ?? 2000) });
        ok = res.ok;
        await res.body?.cancel();
      }
    } catch {
      ok = false;
    }
    if (!this.entries.has(this.key(entry.instance))) return;
    if (ok) {
      entry.failures = 0;
      if (!entry.healthy) {
        entry.healthy = true;
        await this.write(this.session.client, entry.instance).catch((err) => this.emit('error', err));
        this.emit('healthy', entry.instance);
      }
      return;
    }
    entry.failures++;
    if (entry.healthy && entry.failures >= (h.failuresBeforeDown ?? 1)) {
      entry.healthy = false;
      await this.remove(this.session.client, entry.instance).catch((err) => this.emit('error', err));
      this.emit('unhealthy', entry.instance);
    }
  }
}

/** Whether an instance's znode is ephemeral (Curator's DYNAMIC types), so that it lives and dies with its session. */
function isEphemeral(instance: ServiceInstance): boolean {
  return instance.serviceType === 'DYNAMIC' || instance.serviceType === 'DYNAMIC_SEQUENTIAL';
}
