import { Injectable, Logger } from '@nestjs/common';
import { ZooError, ZooErrorCode } from '@zoo/client';
import { instanceUrl, ServiceDiscovery, type ProviderOptions, type ServiceProvider } from '@zoo/discovery';
import { ZooConnection } from './zoo-connection.js';

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/**
 * Calls another service by name: an instance is chosen by the provider's strategy, connection
 * errors (and 5xx on idempotent methods) fail over to the next instance.
 */
@Injectable()
export class DiscoveryClient {
  private readonly providers = new Map<string, Promise<ServiceProvider>>();
  private readonly logger = new Logger('ZooModule');

  constructor(
    private readonly discovery: ServiceDiscovery,
    private readonly connection: ZooConnection,
  ) {}

  provider(service: string, options?: ProviderOptions): Promise<ServiceProvider> {
    let p = this.providers.get(service);
    if (!p) {
      // startup: 'lazy' and not connected yet: fail this call only, without starting a cache
      // that could not read anything
      if (!this.connection.isStarted) {
        return Promise.reject(new ZooError(ZooErrorCode.CONNECTIONLOSS, `CONNECTIONLOSS: cannot look up ${service}: not connected to the coordination service yet`));
      }
      p = this.discovery.provider(service, options);
      this.providers.set(service, p);
      // the watch behind the provider reports background read failures; log them, never crash
      void this.discovery.cache(service).then(
        (cache) => cache.on('error', (err: Error) => this.logger.warn(`instances of ${service}: ${err.message}`)),
        () => this.providers.delete(service),
      );
    }
    return p;
  }

  async fetch(service: string, path: string, init: RequestInit = {}, options: { maxAttempts?: number; timeoutMs?: number } = {}): Promise<Response> {
    const provider = await this.provider(service);
    const method = (init.method ?? 'GET').toUpperCase();
    return provider.call(
      async (instance, signal) => {
        const res = await fetch(`${instanceUrl(instance)}${path}`, { ...init, signal });
        if (res.status >= 500 && IDEMPOTENT.has(method)) {
          await res.body?.cancel();
          throw new Error(`${service} ${instance.id} answered ${res.status}`);
        }
        return res;
      },
      { maxAttempts: options.maxAttempts ?? 3, timeoutMs: options.timeoutMs ?? 10_000 },
    );
  }

  async getJson<T>(service: string, path: string): Promise<T> {
    const res = await this.fetch(service, path);
    if (!res.ok) throw new Error(`${service} GET ${path}: HTTP ${res.status}`);
    return (await res.json()) as T;
  }
}
