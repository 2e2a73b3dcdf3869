import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '@zoo/zookeeper';
import { ZooSession } from '@zoo/client';
import { ServiceDiscovery } from '@zoo/discovery';
import { ZooServer } from '@zoo/server';
import { discoveryProxy, zooHealth, zooRegistration, type ZooRegistration } from '../src/index.js';


const listen = (app: express.Express): Promise<Server> =>
  new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server));
  });
const close = (server: Server) => new Promise<void>((r) => server.close(() => r()));
const port = (server: Server) => (server.address() as AddressInfo).port;

describe('Express: auto-registration, health and the discovery proxy (real servers on loopback)', () => {
  let zoo: ZooServer;
  let observer: ZooSession;
  const servers: Server[] = [];
  const registrations: ZooRegistration[] = [];

  beforeAll(async () => {
    zoo = await ZooServer.start({ port: 0, tickTime: 500, minSessionTimeout: 1000 });
    observer = new ZooSession(zoo.connectionString);
    await observer.start();
  });
  afterAll(async () => {
    for (const r of registrations) await r.close();
    for (const s of servers) if (s.listening) await close(s);
    await observer.close();
    await zoo.close();
  });

  async function catalogInstance(name: string) {
    const app = express();
    app.use(express.json());
    app.get('/items/:id', (req, res) => void res.json({ id: req.params.id, servedBy: name }));
    app.post('/echo', (req, res) => void res.status(201).json({ got: req.body, servedBy: name }));
    app.get('/flaky', (_req, res) => void res.status(500).json({ servedBy: name }));
    const registration = zooRegistration({ connectionString: zoo.connectionString, clientOptions: { sessionTimeout: 2000 }, service: { name: 'catalog', id: name, address: '127.0.0.1', payload: { tags: ['http'] } }, handleSignals: false });
    const server = registration.attach(await listen(app));
    servers.push(server);
    registrations.push(registration);
    const instance = await registration.registered;
    expect(instance.port).toBe(port(server)); // the port came from the listening server
    return { server, registration };
  }

  it('registers on listen, spreads proxied requests, survives an instance going away, and says 503 when none is left', async () => {
    const a = await catalogInstance('a');
    const b = await catalogInstance('b');
    const discovery = new ServiceDiscovery(observer);
    expect((await discovery.instances('catalog')).map((i) => i.id).sort()).toEqual(['a', 'b']);

    const gateway = express();
    gateway.use('/catalog', discoveryProxy('catalog', { session: observer }));
    gateway.get('/health', zooHealth({ session: observer }));
    const gw = await listen(gateway);
    servers.push(gw);
    const base = `http://127.0.0.1:${port(gw)}`;

    const health = await fetch(`${base}/health`);
    expect([health.status, await health.json()]).toEqual([200, { status: 'UP', zoo: 'connected' }]);

    const servedBy: string[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await fetch(`${base}/catalog/items/${i}`);
      const json = (await res.json()) as { id: string; servedBy: string };
      expect(json.id).toBe(String(i));
      servedBy.push(json.servedBy);
    }
    expect(new Set(servedBy)).toEqual(new Set(['a', 'b']));

    const posted = await fetch(`${base}/catalog/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hello: 'zoo' }) });
    expect(posted.status).toBe(201);
    expect(((await posted.json()) as { got: unknown }).got).toEqual({ hello: 'zoo' });

    // 5xx on an idempotent request is tried on the other instance; the last status comes back
    const flaky = await fetch(`${base}/catalog/flaky`);
    expect(flaky.status).toBe(500);

    // instance a goes away: closing its server unregisters it; requests keep succeeding
    await close(a.server);
    for (let i = 0; i < 6; i++) expect((await fetch(`${base}/catalog/items/x`)).status).toBe(200);
    await until(async () => (await discovery.instances('catalog')).length === 1, 5000, 'a to unregister');
    expect((await discovery.instances('catalog'))[0].id).toBe('b');

    // b closes too: nothing is left
    b.server.closeAllConnections();
    await close(b.server);
    await until(async () => (await discovery.instances('catalog')).length === 0, 5000, 'b to go');
    const none = await fetch(`${base}/catalog/items/1`);
    expect(none.status).toBe(503);
    expect(await none.json()).toEqual({ error: 'no available instance of service "catalog"' });
  }, 30_000);

  it('fails over on connection errors to a dead instance still in the registry', async () => {
    const live = await catalogInstance('live');
    // a stale registration whose server does not exist
    const ghost = zooRegistration({ connectionString: zoo.connectionString, service: { name: 'catalog', id: 'ghost', address: '127.0.0.1', port: 1 }, handleSignals: false });
    registrations.push(ghost);
    const dummy = await listen(express());
    servers.push(dummy);
    ghost.attach(dummy);
    await ghost.registered;
    const gateway = express();
    gateway.use(discoveryProxy('catalog', { session: observer }));
    const gw = await listen(gateway);
    servers.push(gw);
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`http://127.0.0.1:${port(gw)}/items/${i}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-zoo-instance')).toBe('live');
    }
    await live.registration.close();
  });
});
