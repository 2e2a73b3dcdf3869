import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ZooClient, ZooSession } from '@zoo/client';
import { generateDigest, Perms } from '@zoo/core';
import { ServiceDiscovery, ServiceRegistry } from '@zoo/discovery';
import { ZooServer } from '@zoo/server';
import { startDashboard, type ActivityEvent, type Dashboard, type HostMetrics } from '@zoo/dashboard';

/** The dashboard's JSON API over an embedded ZooServer: what the page calls, as any HTTP client. */
describe('dashboard API', () => {
  let server: ZooServer;
  let client: ZooClient;
  const open: Dashboard[] = [];
  const start = async (options: Partial<Parameters<typeof startDashboard>[0]> = {}) => {
    const d = await startDashboard({ connectionString: server.connectionString, server, metricsIntervalMs: 200, ...options });
    open.push(d);
    return d;
  };
  const call = async (d: Dashboard, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${d.url}${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: res.status === 204 ? null : ((await res.json()) as Record<string, unknown>) };
  };

  beforeAll(async () => {
    server = await ZooServer.start({ host: '127.0.0.1', port: 0 });
    client = await ZooClient.connect(server.connectionString);
  });
  afterEach(async () => {
    for (const d of open.splice(0)) await d.stop();
  });
  afterAll(async () => {
    await client?.close();
    await server?.close();
  });

  it('is read-only by default: every write answers 403 and changes nothing', async () => {
    await client.create('/ro', 'before');
    const d = await start();
    expect((await call(d, 'GET', '/api/info')).body).toMatchObject({ allowEdit: false });
    const refused = [
      await call(d, 'POST', '/api/node', { path: '/ro-new', data: 'x' }),
      await call(d, 'PUT', '/api/node', { path: '/ro', data: 'after', version: 0 }),
      await call(d, 'DELETE', '/api/node?path=/ro&version=0'),
      await call(d, 'POST', '/api/services/enabled', { name: 'a', id: 'b', enabled: false }),
    ];
    for (const r of refused) {
      expect(r.status).toBe(403);
      expect(r.body!.error).toMatch(/read-only.*--allow-edit/);
    }
    expect((await client.getData('/ro')).data!.toString()).toBe('before');
    expect(await client.exists('/ro-new')).toBeNull();
    const node = await call(d, 'GET', '/api/node?path=/ro');
    expect(node.body).toMatchObject({ path: '/ro', data: 'before', stat: { version: 0 }, acl: [{ perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } }] });
  });

  it('with allowEdit: create, set with a version check, and a BADVERSION conflict that shows the node as it is now', async () => {
    const d = await start({ allowEdit: true });
    const created = await call(d, 'POST', '/api/node', { path: '/edit', data: 'v0' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ path: '/edit', data: 'v0', stat: { version: 0 } });
    const seq = await call(d, 'POST', '/api/node', { path: '/edit/item-', data: '', mode: 'persistentSequential' });
    expect(seq.body!.path).toBe('/edit/item-0000000000');

    const set = await call(d, 'PUT', '/api/node', { path: '/edit', data: 'v1', version: 0 });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ data: 'v1', stat: { version: 1 } });
    // someone else moves the node on; the dashboard's write at the old version must not win
    await client.setData('/edit', 'theirs', 1);
    const stale = await call(d, 'PUT', '/api/node', { path: '/edit', data: 'mine', version: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ code: 'BADVERSION', current: { data: 'theirs', stat: { version: 2 } } });
    expect(stale.body!.error).toMatch(/version 2, not 1/);
    expect((await client.getData('/edit')).data!.toString()).toBe('theirs');

    expect((await call(d, 'DELETE', '/api/node?path=/edit&version=2')).body).toMatchObject({ code: 'NOTEMPTY' });
    await client.delete('/edit/item-0000000000');
    expect((await call(d, 'DELETE', '/api/node?path=/edit&version=1')).body).toMatchObject({ code: 'BADVERSION', current: { stat: { version: 2 } } });
    expect((await call(d, 'DELETE', '/api/node?path=/edit&version=2')).status).toBe(204);
    expect(await client.exists('/edit')).toBeNull();
  });

  it('names bad input: invalid paths, unknown modes, missing fields, non-JSON bodies', async () => {
    const d = await start({ allowEdit: true });
    expect(await call(d, 'GET', '/api/node?path=nope')).toMatchObject({ status: 400, body: { error: expect.stringMatching(/invalid path/) } });
    expect(await call(d, 'GET', '/api/node?path=/missing')).toMatchObject({ status: 404, body: { code: 'NONODE' } });
    expect(await call(d, 'POST', '/api/node', { path: '/x', mode: 'weird' })).toMatchObject({ status: 400, body: { error: expect.stringMatching(/unknown mode "weird"/) } });
    expect(await call(d, 'PUT', '/api/node', { path: '/x', data: 'd' })).toMatchObject({ status: 400, body: { error: expect.stringMatching(/"version"/) } });
    const raw = await fetch(`${d.url}/api/node`, { method: 'POST', body: 'path=/x' });
    expect(raw.status).toBe(415);
    expect(await client.exists('/x')).toBeNull();
  });

  it('uses digest credentials for its session (ZOO_AUTH): reads a node only that identity may read', async () => {
    const acl = [{ perms: Perms.ALL, id: { scheme: 'digest', id: generateDigest('ops:secret') } }];
    await client.create('/private', 'hidden', { acl });
    const anonymous = await start();
    expect(await call(anonymous, 'GET', '/api/node?path=/private')).toMatchObject({ status: 403, body: { code: 'NOAUTH' } });
    const authed = await start({ auth: 'ops:secret', allowEdit: true });
    expect((await call(authed, 'GET', '/api/node?path=/private')).body).toMatchObject({ data: 'hidden', acl: [{ id: { scheme: 'digest', id: generateDigest('ops:secret') } }] });
    expect((await call(authed, 'PUT', '/api/node', { path: '/private', data: 'changed', version: 0 })).status).toBe(200);
    await expect(startDashboard({ connectionString: server.connectionString, auth: 'no-colon' })).rejects.toThrow(/user:password/);
  });

  it('drain takes an instance out of the balancer through `enabled`; enable puts it back; the activity feed says so', async () => {
    const session = new ZooSession(server.connectionString);
    await session.start();
    const registry = new ServiceRegistry(session);
    const discovery = new ServiceDiscovery(session);
    try {
      await registry.register({ name: 'api', id: 'api-1', address: '127.0.0.1', port: 1 });
      const d = await start({ allowEdit: true });
      await registry.register({ name: 'api', id: 'api-2', address: '127.0.0.1', port: 2 });
      const provider = await discovery.provider('api');
      await expect.poll(() => provider.instances().map((i) => i.id).sort(), { timeout: 10_000 }).toEqual(['api-1', 'api-2']);

      const drained = await call(d, 'POST', '/api/services/enabled', { name: 'api', id: 'api-1', enabled: false });
      expect(drained).toMatchObject({ status: 200, body: { id: 'api-1', enabled: false } });
      await expect.poll(() => provider.instances().map((i) => i.id), { timeout: 10_000 }).toEqual(['api-2']);
      for (let i = 0; i < 4; i++) expect(provider.getInstance()!.id).toBe('api-2');
      // the rest of the owner's document is kept as written
      const doc = JSON.parse((await client.getData('/services/api/api-1')).data!.toString());
      expect(doc).toMatchObject({ name: 'api', id: 'api-1', address: '127.0.0.1', port: 1, enabled: false, serviceType: 'DYNAMIC' });
      const listed = (await call(d, 'GET', '/api/services')).body as unknown as Array<{ name: string; instances: Array<{ id: string; enabled: boolean; health: string }> }>;
      expect(listed.find((s) => s.name === 'api')!.instances.map((i) => [i.id, i.enabled])).toEqual([['api-1', false], ['api-2', true]]);

      await call(d, 'POST', '/api/services/enabled', { name: 'api', id: 'api-1', enabled: true });
      await expect.poll(() => provider.instances().map((i) => i.id).sort(), { timeout: 10_000 }).toEqual(['api-1', 'api-2']);
      await registry.unregister({ name: 'api', id: 'api-2' });

      const kinds = async () => ((await call(d, 'GET', '/api/activity')).body as unknown as ActivityEvent[]).map((a) => `${a.kind} ${a.text}`);
      await expect.poll(kinds, { timeout: 10_000 }).toEqual([
        'registered registered api/api-2 at 127.0.0.1:2',
        'drained drained api/api-1 at 127.0.0.1:1: out of rotation',
        'enabled enabled api/api-1 at 127.0.0.1:1: back in rotation',
        'deregistered deregistered api/api-2 at 127.0.0.1:2',
      ]);
      expect(await call(d, 'POST', '/api/services/enabled', { name: 'api', id: 'gone', enabled: false })).toMatchObject({ status: 404, body: { code: 'NONODE' } });
    } finally {
      await registry.close();
      await discovery.close();
      await session.close();
    }
  });

  it('tells config changes (Spring Cloud Zookeeper layout) and group members joining and leaving', async () => {
    const d = await start({ groupPaths: ['/groups/*', '/workers'] });
    const texts = async () => ((await call(d, 'GET', '/api/activity')).body as unknown as ActivityEvent[]).map((a) => a.text);
    const told: string[] = [];
    const step = async (change: () => Promise<unknown>, text: string) => {
      await change();
      told.push(text);
      await expect.poll(texts, { timeout: 10_000 }).toEqual(told);
    };
    await client.create('/config', null).catch(() => {});
    await client.create('/config/orders', null);
    await step(() => client.create('/config/orders/greeting', 'hello'), 'config orders: greeting = hello');
    await step(() => client.setData('/config/orders/greeting', 'hi'), 'config orders: greeting = hi');
    await client.create('/config/orders/limits', null);
    await step(() => client.create('/config/orders/limits/max', '5'), 'config orders: limits.max = 5');
    await step(() => client.delete('/config/orders/limits/max'), 'config orders: limits.max removed');
    await client.create('/groups', null);
    await client.create('/groups/indexers', null);
    await step(() => client.create('/groups/indexers/node-a', 'payload-a', { mode: 'ephemeral' }), 'group /groups/indexers: node-a joined');
    await client.create('/workers', null);
    await step(() => client.create('/workers/w1', 'x', { mode: 'ephemeral' }), 'group /workers: w1 joined');
    const groups = (await call(d, 'GET', '/api/groups')).body as unknown as Array<{ path: string; members: Array<{ id: string; payload: string }> }>;
    expect(groups.map((g) => [g.path, g.members.map((m) => `${m.id}=${m.payload}`)])).toEqual([
      ['/workers', ['w1=x']],
      ['/groups/indexers', ['node-a=payload-a']],
    ]);
    await step(() => client.setData('/groups/indexers/node-a', 'payload-b'), 'group /groups/indexers: node-a payload = payload-b');
    await step(() => client.delete('/groups/indexers/node-a'), 'group /groups/indexers: node-a left');
  });

  it('says a config value once when two quick changes arrive before it reads the node', async () => {
    const d = await start();
    await client.create('/config', null).catch(() => {});
    await client.create('/config/quick', null);
    await client.create('/config/quick/k', 'one');
    await client.setData('/config/quick/k', 'two');
    await client.create('/config/quick/marker', 'done');
    const texts = async () => ((await call(d, 'GET', '/api/activity')).body as unknown as ActivityEvent[]).map((a) => a.text);
    await expect.poll(async () => (await texts()).includes('config quick: marker = done'), { timeout: 10_000 }).toBe(true);
    const k = (await texts()).filter((t) => t.startsWith('config quick: k'));
    // what it says is the node's value when read; never the same state twice
    expect(k.length).toBeGreaterThanOrEqual(1);
    expect(k[k.length - 1]).toBe('config quick: k = two');
    expect(new Set(k).size).toBe(k.length);
  });

  it('charts the embedded server: request rates by op, latency quantiles, znodes, connections', async () => {
    const d = await start();
    const metrics = async () => (await call(d, 'GET', '/api/metrics')).body as unknown as HostMetrics[];
    // a first reading before the load, so the load shows as a rate
    await expect.poll(async () => (await metrics())[0].points.length, { timeout: 10_000 }).toBeGreaterThan(0);
    for (let i = 0; i < 50; i++) await client.exists('/');
    await expect
      .poll(async () => {
        const [host] = (await call(d, 'GET', '/api/metrics')).body as unknown as HostMetrics[];
        return host.points.some((p) => (p.requestsPerSec.exists ?? 0) > 0 && p.latencyMs.p99 !== undefined);
      }, { timeout: 10_000 })
      .toBe(true);
    const [host] = (await call(d, 'GET', '/api/metrics')).body as unknown as HostMetrics[];
    const last = host.points[host.points.length - 1];
    expect(host.name).toBe(server.connectionString);
    expect(last).toMatchObject({ source: 'prometheus', znodes: expect.any(Number), connections: expect.any(Number), watches: expect.any(Number) });
    expect(last.znodes).toBeGreaterThan(1);
    expect(last.connections).toBeGreaterThanOrEqual(2);
  });

  it('serves the chart library itself, from the installed package', async () => {
    const d = await start();
    const js = await fetch(`${d.url}/assets/uPlot.iife.min.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(await js.text()).toMatch(/uPlot/);
    const css = await fetch(`${d.url}/assets/uPlot.min.css`);
    expect(css.headers.get('content-type')).toMatch(/css/);
    const html = await (await fetch(d.url)).text();
    expect(html).toContain('<script src="/assets/uPlot.iife.min.js">');
    expect(html).not.toMatch(/https?:\/\/(?!127)/);
    // HEAD is a read: answered, not refused as a write
    const head = await fetch(d.url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toMatch(/text\/html/);
  });
});
