import { afterAll, describe, expect, it } from 'vitest';
import { ZooSession } from '@zoo/client';
import { ZooServer } from '@zoo/server';
import { freePort } from '@zoo/zookeeper';
import { ServiceDiscovery, ServiceRegistry } from '../src/index.js';

describe('ServiceDiscovery.cache()', () => {
  let server: ZooServer | undefined;
  afterAll(async () => {
    await server?.close();
  });

  it('does not keep a cache whose start failed: once the service is reachable the same name works', async () => {
    const port = await freePort();
    const session = new ZooSession(`127.0.0.1:${port}`, { connectTimeout: 500 });
    const discovery = new ServiceDiscovery(session);
    // nothing listens yet: the start fails...
    await expect(discovery.cache('billing')).rejects.toThrow();
    server = await ZooServer.start({ port });
    await session.start();
    const registry = new ServiceRegistry(session);
    await registry.register({ name: 'billing', id: 'b1', address: '127.0.0.1', port: 9001 });
    // ...and a later call starts a new cache instead of handing back the failed one
    const cache = await discovery.cache('billing');
    expect(cache.instances().map((i) => i.id)).toEqual(['b1']);
    await registry.close();
    await discovery.close();
    await session.close();
  });
});
