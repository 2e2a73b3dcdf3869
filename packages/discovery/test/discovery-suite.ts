import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { until } from '@zoo/zookeeper';
import { ZooErrorCode } from '@zoo/core';
import { ZooClient, ZooSession } from '@zoo/client';
import { ServiceDiscovery, ServiceRegistry, type ServiceInstance } from '../src/index.js';
import { TcpProxy } from '../../client/test/tcp-proxy.js';

export interface Target {
  start(): Promise<{ connectionString: string; port: number; stop(): Promise<void> }>;
}


/** Registration and discovery against one target (ZooServer, Apache ZooKeeper). */
export function discoverySuite(name: string, target: Target, enabled = true): void {
  describe.runIf(enabled)(`discovery against ${name}`, () => {
    let server: Awaited<ReturnType<Target['start']>>;
    const sessions: ZooSession[] = [];
    let n = 0;
    beforeAll(async () => {
      server = await target.start();
    }, 60_000);
    afterAll(async () => server?.stop());
    afterEach(async () => {
      for (const s of sessions.splice(0)) await s.close();
    });

    const session = async (options: ConstructorParameters<typeof ZooSession>[1] = {}) => {
      const s = new ZooSession(server.connectionString, { sessionTimeout: 10_000, ...options });
      await s.start();
      sessions.push(s);
      return s;
    };
    const basePath = () => `/disco-${process.pid}-${n++}`;
    /** A registry on a session that reaches the server through a proxy (to cut it off). */
    const behindProxy = async (sessionTimeout: number) => {
      const proxy = await TcpProxy.start(server.port);
      const s = new ZooSession(`127.0.0.1:${proxy.port}`, { sessionTimeout });
      await s.start();
      sessions.push(s);
      const base = basePath();
      return { base, proxy, s, registry: new ServiceRegistry(s, { basePath: base }) };
    };

    it('registers instances that discovery lists, reads and watches; ephemeral instances leave with their session', async () => {
      const base = basePath();
      const s1 = await session();
      const s2 = await session();
      const watcher = await session();
      const r1 = new ServiceRegistry(s1, { basePath: base });
      const r2 = new ServiceRegistry(s2, { basePath: base });
      const discovery = new ServiceDiscovery(watcher, { basePath: base });
      const cache = await discovery.cache('catalog');
      const events: string[] = [];
      cache.on('added', (i: ServiceInstance) => events.push(`added ${i.id}`));
      cache.on('removed', (i: ServiceInstance) => events.push(`removed ${i.id}`));
      cache.on('updated', (i: ServiceInstance) => events.push(`updated ${i.id} ${i.port}`));

      const one = await r1.register({ name: 'catalog', id: 'one', address: '127.0.0.1', port: 8001, payload: { zone: 'eu', tags: ['v1'], weight: 2 } });
      await r2.register({ name: 'catalog', id: 'two', address: '127.0.0.1', port: 8002 });
      expect(await discovery.names()).toEqual(['catalog']);
      expect((await discovery.instances('catalog')).map((i) => i.id).sort()).toEqual(['one', 'two']);
      await until(() => cache.instances().length === 2, 5000, 'cache to see both');
      expect(cache.instances().find((i) => i.id === 'one')?.payload).toEqual({ zone: 'eu', tags: ['v1'], weight: 2 });

      await r1.update({ ...one, port: 9001 });
      await until(() => events.includes('updated one 9001'), 5000, 'update');

      await s2.close();
      sessions.splice(sessions.indexOf(s2), 1);
      await until(() => cache.instances().length === 1, 5000, 'ephemeral instance to go');
      expect(events).toContain('removed two');

      const provider = await discovery.provider('catalog');
      expect(provider.getInstance()?.id).toBe('one');
      await r1.unregister(one);
      await until(() => cache.instances().length === 0, 5000, 'unregister');
      await discovery.close();
    });

    it('re-registers after session expiry, on the new session', async () => {
      const { base, proxy, s, registry } = await behindProxy(4000);
      const reregistered = new Promise<string>((resolve) => registry.once('reregistered', (_i: ServiceInstance, why: string) => resolve(why)));
      await registry.register({ name: 'orders', id: 'o1', address: '127.0.0.1', port: 7000 });
      const first = s.client.sessionId;
      // while it is cut off, another client takes the session over and ends it
      proxy.blackhole();
      proxy.drop();
      const thief = new ZooClient(server.connectionString, { session: { id: first, password: s.client.sessionPassword } });
      await thief.connect();
      await thief.close();
      proxy.heal();
      expect(await reregistered).toBe('new session');
      await proxy.close();
      expect(s.client.sessionId).not.toBe(first);
      const observer = await session();
      const found = await new ServiceDiscovery(observer, { basePath: base }).instances('orders');
      expect(found.map((i) => i.id)).toEqual(['o1']);
      expect((await observer.client.exists(`${base}/orders/o1`))?.ephemeralOwner).toBe(s.client.sessionId);
    }, 30_000);

    it('unregistering once the session has expired: an ephemeral instance went with it (no error), a persistent one is reported', async () => {
      const { base, proxy, s, registry } = await behindProxy(3000);
      const errors: Error[] = [];
      registry.on('error', (err: Error) => errors.push(err));
      const dynamic = await registry.register({ name: 'catalog', id: 'dyn', address: '127.0.0.1', port: 7001 });
      const fixed = await registry.register({ name: 'catalog', id: 'static', address: '127.0.0.1', port: 7002, serviceType: 'STATIC' });
      const expired = s.client;
      proxy.blackhole();
      proxy.drop();
      await until(() => expired.state === 'expired', 20_000, 'the cut-off client to expire');
      await registry.unregister(dynamic);
      expect(errors).toEqual([]);
      await registry.unregister(fixed);
      // the persistent znode is still there: that is an error to report
      expect(errors.map((e) => (e as { code?: number }).code)).toEqual([ZooErrorCode.SESSIONEXPIRED]);
      proxy.heal();
      await proxy.close();
      const observer = await session();
      expect(await observer.client.exists(`${base}/catalog/dyn`)).toBeNull();
      expect(await observer.client.exists(`${base}/catalog/static`)).not.toBeNull();
    }, 40_000);

    it('the cache keeps serving the last known instances while the coordination service is unreachable', async () => {
      const base = basePath();
      const registry = new ServiceRegistry(await session(), { basePath: base });
      await registry.register({ name: 'stock', id: 's1', address: '127.0.0.1', port: 7200 });
      const proxy = await TcpProxy.start(server.port);
      const s = new ZooSession(`127.0.0.1:${proxy.port}`, { sessionTimeout: 3000 });
      await s.start();
      sessions.push(s);
      const cache = await new ServiceDiscovery(s, { basePath: base }).cache('stock');
      expect(cache.instances().map((i) => i.id)).toEqual(['s1']);
      proxy.blackhole();
      await until(() => cache.stale, 10_000, 'the cache to notice');
      expect(cache.instances().map((i) => i.id)).toEqual(['s1']);
      proxy.heal();
      await until(() => !cache.stale, 10_000, 'the cache to recover');
      await proxy.close();
    }, 30_000);

    it('an HTTP health check URL takes the instance out while it answers errors', async () => {
      const base = basePath();
      let status = 200;
      const http = createServer((_req, res) => {
        res.statusCode = status;
        res.end();
      });
      await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
      const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/health`;
      try {
        const registry = new ServiceRegistry(await session(), { basePath: base });
        await registry.register({ name: 'web', id: 'w1', address: '127.0.0.1', port: 7300 }, { healthCheck: { url, intervalMs: 50, failuresBeforeDown: 2 } });
        const cache = await new ServiceDiscovery(await session(), { basePath: base }).cache('web');
        await until(() => cache.instances().length === 1, 5000, 'registered');
        status = 503;
        await until(() => cache.instances().length === 0, 5000, 'taken out');
        status = 200;
        await until(() => cache.instances().length === 1, 5000, 'put back');
        await registry.close();
      } finally {
        http.close();
      }
    });

    it('a failing health check takes the instance out and puts it back when it recovers', async () => {
      const base = basePath();
      const s = await session();
      const registry = new ServiceRegistry(s, { basePath: base });
      let healthy = true;
      await registry.register({ name: 'pay', id: 'p1', address: '127.0.0.1', port: 7100 }, { healthCheck: { check: () => healthy, intervalMs: 50 } });
      const observer = await session();
      const cache = await new ServiceDiscovery(observer, { basePath: base }).cache('pay');
      await until(() => cache.instances().length === 1, 5000, 'registered');
      healthy = false;
      await until(() => cache.instances().length === 0, 5000, 'taken out');
      healthy = true;
      await until(() => cache.instances().length === 1, 5000, 'put back');
      await registry.close();
      await until(() => cache.instances().length === 0, 5000, 'closed');
    });
  });
}
