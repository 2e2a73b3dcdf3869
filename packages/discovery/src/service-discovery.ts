import { ZooError, ZooErrorCode } from '@zoo/core';
import type { ZooSession } from '@zoo/client';
import { ServiceCache } from './service-cache.js';
import { fromCuratorJson, type ServiceInstance } from './service-instance.js';
import { ServicePaths } from './service-paths.js';
import { ServiceProvider, type ProviderOptions } from './service-provider.js';

/**
 * Finds services registered in Curator's layout (by Zoo, Curator or Spring Cloud Zookeeper):
 * one-off queries, and per-service watch-driven caches behind providers.
 */
export class ServiceDiscovery implements AsyncDisposable {
  private readonly paths: ServicePaths;
  private readonly caches = new Map<string, Promise<ServiceCache>>();

  constructor(
    private readonly session: ZooSession,
    options: { basePath?: string } = {},
  ) {
    this.paths = new ServicePaths(options.basePath);
  }

  /** Names of the registered services. */
  async names(): Promise<string[]> {
    try {
      return (await this.session.client.getChildren(this.paths.basePath)).children.sort();
    } catch (err) {
      if (err instanceof ZooError && err.code === ZooErrorCode.NONODE) return [];
      throw err;
    }
  }

  /** Reads a service's instances now (unreadable ones are skipped). */
  async instances(name: string): Promise<ServiceInstance[]> {
    const client = this.session.client;
    let ids: string[];
    try {
      ids = (await client.getChildren(this.paths.service(name))).children;
    } catch (err) {
      if (err instanceof ZooError && err.code === ZooErrorCode.NONODE) return [];
      throw err;
    }
    const found = await Promise.all(
      ids.map(async (id) => {
        const path = this.paths.instance(name, id);
        try {
          return fromCuratorJson((await client.getData(path)).data, path);
        } catch {
          return undefined;
        }
      }),
    );
    return found.filter((i): i is ServiceInstance => !!i);
  }

  /** A started, shared cache of one service's instances. */
  cache(name: string): Promise<ServiceCache> {
    let cache = this.caches.get(name);
    if (!cache) {
      const c = new ServiceCache(this.session, this.paths.service(name), name);
      const started = c.start().then(
        () => c,
        (err: unknown) => {
          // a failed start (no session yet, connection lost) is not kept: the next call tries again
          if (this.caches.get(name) === started) this.caches.delete(name);
          c.close();
          throw err;
        },
      );
      cache = started;
      this.caches.set(name, cache);
    }
    return cache;
  }

  /** A provider over the service's cache. */
  async provider(name: string, options: ProviderOptions = {}): Promise<ServiceProvider> {
    const cache = await this.cache(name);
    return new ServiceProvider(name, () => cache.instances(), options);
  }

  async close(): Promise<void> {
    for (const c of this.caches.values()) (await c.catch(() => undefined))?.close();
    this.caches.clear();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
