import { createHash } from 'node:crypto';
import { Agent, createServer, request, type RequestListener, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type expressType from 'express';
import { WebSocket, WebSocketServer } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '@zoo/zookeeper';
import { ZooClient, ZooSession } from '@zoo/client';
import { ServiceDiscovery, type ProviderStrategy, type ServiceInstance } from '@zoo/discovery';
import { ZooServer } from '@zoo/server';
import { discoveryProxy, zooHealth, zooRegistration, type DiscoveryProxy, type ZooRegistration } from '../src/index.js';

type ExpressFactory = typeof expressType;

const port = (server: Server) => (server.address() as AddressInfo).port;
const close = (server: Server) =>
  new Promise<void>((r) => {
    server.closeAllConnections();
    server.close(() => r());
  });

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** A raw node:http call, so hop-by-hop headers (which fetch forbids) can be sent. */
function call(url: string, options: { method?: string; headers?: OutgoingHttpHeaders; body?: string | Buffer; agent?: Agent } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers, agent: options.agent ?? new Agent() }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Picks the instance with this id whenever it is offered, so a test knows which one is tried first. */
const prefer = (id: string): ProviderStrategy => ({ pick: (list: readonly ServiceInstance[]) => list.find((i) => i.id === id) ?? list[0] });

/**
 * The Express integration, run once per supported Express major (the package's peer range):
 * registration, health, and the discovery proxy, against a ZooServer on loopback.
 */
export function expressSuite(label: string, express: ExpressFactory): void {
  describe(`${label}: registration, health and the discovery proxy (real servers on loopback)`, () => {
    let zoo: ZooServer;
    let observer: ZooSession;
    const servers: Server[] = [];
    const registrations: ZooRegistration[] = [];
    const proxies: DiscoveryProxy[] = [];
    let serviceNo = 0;

    beforeAll(async () => {
      zoo = await ZooServer.start({ port: 0, tickTime: 500, minSessionTimeout: 1000 });
      observer = new ZooSession(zoo.connectionString);
      await observer.start();
    });
    afterAll(async () => {
      for (const p of proxies) await p.close();
      for (const r of registrations) await r.close();
      for (const s of servers) if (s.listening) await close(s);
      await observer.close();
      await zoo.close();
    });

    const listen = (app: RequestListener): Promise<Server> =>
      new Promise((resolve) => {
        const server = createServer(app);
        servers.push(server);
        server.listen(0, '127.0.0.1', () => resolve(server));
      });

    /** An upstream instance that echoes what reached it. */
    async function instance(service: string, id: string) {
      const app = express();
      const seen: Array<{ method: string; url: string; headers: IncomingHttpHeaders }> = [];
      app.use((req, _res, next) => {
        seen.push({ method: req.method, url: req.url, headers: req.headers });
        next();
      });
      app.get('/items/:id', (req, res) => void res.json({ id: req.params.id, servedBy: id }));
      app.get('/flaky', (_req, res) => void res.status(500).json({ servedBy: id }));
      app.get('/headers', (req, res) => {
        res.setHeader('connection', 'x-upstream-hop');
        res.setHeader('x-upstream-hop', 'secret');
        res.setHeader('keep-alive', 'timeout=77');
        res.json({ headers: req.headers, servedBy: id });
      });
      app.all('/raw', (req, res) => {
        const hash = createHash('sha256');
        let length = 0;
        req.on('data', (c: Buffer) => {
          hash.update(c);
          length += c.length;
        });
        req.on('end', () => void res.status(201).json({ servedBy: id, length, sha256: hash.digest('hex'), contentType: req.headers['content-type'], contentLength: req.headers['content-length'] }));
      });
      const registration = zooRegistration({ connectionString: zoo.connectionString, clientOptions: { sessionTimeout: 2000 }, service: { name: service, id, address: '127.0.0.1' }, handleSignals: false });
      const server = registration.attach(await listen(app));
      registrations.push(registration);
      const registered = await registration.registered;
      expect(registered.port).toBe(port(server)); // the port came from the listening server
      return { server, registration, seen };
    }

    /** A gateway in front of a service; body parsers optional. */
    async function gateway(service: string, options: { parsers?: boolean; strategy?: ProviderStrategy; maxAttempts?: number; timeoutMs?: number } = {}) {
      const discovery = new ServiceDiscovery(observer);
      const proxy = discoveryProxy(service, { discovery, strategy: options.strategy, maxAttempts: options.maxAttempts, timeoutMs: options.timeoutMs, mountPath: '/svc' });
      proxies.push(proxy);
      const app = express();
      if (options.parsers) {
        app.use(express.json());
        app.use(express.urlencoded({ extended: true }));
        app.use(express.text());
      }
      app.use('/svc', proxy);
      app.get('/health', zooHealth({ session: observer }));
      const server = await listen(app);
      server.on('upgrade', proxy.upgrade);
      const cache = await discovery.cache(service);
      return { server, base: `http://127.0.0.1:${port(server)}`, view: () => cache.instances().map((i) => i.id).sort() };
    }

    it('registers on listen, spreads proxied requests, survives an instance going away, and says 503 when none is left', async () => {
      const service = `catalog${++serviceNo}`;
      const a = await instance(service, 'a');
      const b = await instance(service, 'b');
      const gw = await gateway(service);
      await until(() => gw.view().length === 2, 5000, 'the proxy to see both');

      const health = await fetch(`${gw.base}/health`);
      expect([health.status, await health.json()]).toEqual([200, { status: 'UP', zoo: 'connected' }]);

      const servedBy: string[] = [];
      for (let i = 0; i < 10; i++) {
        const res = await fetch(`${gw.base}/svc/items/${i}`);
        const json = (await res.json()) as { id: string; servedBy: string };
        expect(json.id).toBe(String(i));
        servedBy.push(json.servedBy);
      }
      expect(new Set(servedBy)).toEqual(new Set(['a', 'b']));

      // 5xx on an idempotent request is tried on the other instance; the last status comes back
      const flaky = await fetch(`${gw.base}/svc/flaky`);
      expect(flaky.status).toBe(500);
      expect(a.seen.filter((s) => s.url === '/flaky')).toHaveLength(1);
      expect(b.seen.filter((s) => s.url === '/flaky')).toHaveLength(1);

      // a goes away: closing its server unregisters it; requests keep succeeding
      await close(a.server);
      for (let i = 0; i < 6; i++) expect((await fetch(`${gw.base}/svc/items/x`)).status).toBe(200);
      await until(() => gw.view().join() === 'b', 5000, 'a to unregister');

      // b closes too: nothing is left
      await close(b.server);
      await until(() => gw.view().length === 0, 5000, 'b to go');
      const none = await fetch(`${gw.base}/svc/items/1`);
      expect(none.status).toBe(503);
      expect(await none.json()).toEqual({ error: `no available instance of service "${service}"` });
    }, 30_000);

    it('re-serialises bodies that express.json(), urlencoded() and text() already read; streams bodies nobody read', async () => {
      const service = `bodies${++serviceNo}`;
      await instance(service, 'only');
      const parsed = await gateway(service, { parsers: true });
      const raw = await gateway(service);
      await until(() => parsed.view().length === 1 && raw.view().length === 1, 5000, 'the proxies to see the instance');
      const cases: Array<[string, string, unknown]> = [
        ['application/json', JSON.stringify({ hello: 'zoo', nested: { n: 1, list: [1, 'é'] } }), { hello: 'zoo', nested: { n: 1, list: [1, 'é'] } }],
        ['application/x-www-form-urlencoded', 'a=1&b%5Bc%5D=x%20y&d=1&d=2', null],
        ['text/plain', 'just text ✓', null],
      ];
      for (const [type, body, expectedJson] of cases) {
        const res = await call(`${parsed.base}/svc/raw`, { method: 'POST', headers: { 'content-type': type }, body });
        expect(res.status).toBe(201);
        const got = JSON.parse(res.text) as { length: number; sha256: string; contentLength: string };
        if (expectedJson) {
          const sent = JSON.stringify(expectedJson);
          expect([got.length, got.sha256]).toEqual([Buffer.byteLength(sent), createHash('sha256').update(sent).digest('hex')]);
        } else {
          expect(got.sha256).toBe(createHash('sha256').update(body).digest('hex'));
        }
        expect(Number(got.contentLength)).toBe(got.length);
      }
      // 3 MiB streamed through a gateway without parsers, unchanged
      const big = Buffer.alloc(3 * 1024 * 1024, 7);
      const streamed = await call(`${raw.base}/svc/raw`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: big });
      expect(JSON.parse(streamed.text)).toMatchObject({ length: big.length, sha256: createHash('sha256').update(big).digest('hex') });
    }, 30_000);

    it('strips hop-by-hop headers (and those Connection names) both ways, sets X-Forwarded-*', async () => {
      const service = `headers${++serviceNo}`;
      await instance(service, 'h');
      const gw = await gateway(service);
      await until(() => gw.view().length === 1, 5000, 'the proxy to see the instance');
      const res = await call(`${gw.base}/svc/headers`, {
        headers: { connection: 'keep-alive, x-client-hop', 'x-client-hop': 'secret', 'keep-alive': 'timeout=5', te: 'trailers', 'proxy-authorization': 'Basic eDp5', 'x-end-to-end': 'kept', 'x-forwarded-for': '10.1.1.1' },
      });
      const upstream = (JSON.parse(res.text) as { headers: IncomingHttpHeaders }).headers;
      for (const h of ['x-client-hop', 'keep-alive', 'te', 'proxy-authorization']) expect(upstream[h], h).toBeUndefined();
      expect(upstream['x-end-to-end']).toBe('kept');
      expect(upstream['x-forwarded-for']).toBe('10.1.1.1, 127.0.0.1');
      expect(upstream['x-forwarded-proto']).toBe('http');
      expect(upstream['x-forwarded-host']).toBe(`127.0.0.1:${port(gw.server)}`);
      expect(res.headers['x-upstream-hop']).toBeUndefined();
      expect(res.headers['keep-alive']).not.toBe('timeout=77');
      expect(res.headers['x-zoo-instance']).toBe('h');
    }, 30_000);

    it('aborts the upstream request when the client goes away, and answers 504 at the deadline', async () => {
      const service = `abort${++serviceNo}`;
      let arrived!: () => void;
      const arrivedP = new Promise<void>((r) => (arrived = r));
      let upstreamClosed!: () => void;
      const upstreamClosedP = new Promise<void>((r) => (upstreamClosed = r));
      const hanging = await listen((req, res) => {
        arrived();
        res.once('close', () => upstreamClosed()); // never answered: only a closed connection ends it
      });
      const registration = zooRegistration({ session: observer, service: { name: service, id: 'hang', address: '127.0.0.1' }, handleSignals: false });
      registrations.push(registration);
      registration.attach(hanging);
      await registration.registered;
      const gw = await gateway(service);
      await until(() => gw.view().length === 1, 5000, 'the proxy to see the instance');
      const req = request(`${gw.base}/svc/slow`, { agent: new Agent() });
      req.on('error', () => {});
      req.end();
      await arrivedP;
      req.destroy();
      await upstreamClosedP; // resolves only if the proxy tore the upstream request down
      expect(hanging.listening).toBe(true);

      // an instance that never answers within the deadline: 504, not a retry of a request it may be acting on
      const impatient = await gateway(service, { timeoutMs: 300 });
      await until(() => impatient.view().length === 1, 5000, 'the proxy to see the instance');
      const late = await call(`${impatient.base}/svc/slow`, { method: 'POST', body: 'x', headers: { 'content-type': 'text/plain' } });
      expect(late.status).toBe(504);
      expect(JSON.parse(late.text).error).toMatch(/did not answer in time/);
    }, 30_000);

    it('retries on the next instance only when it is safe', async () => {
      const service = `retry${++serviceNo}`;
      const good = await instance(service, 'good');
      // an instance that takes requests in and drops the connection without answering
      let dropped = 0;
      const dropper = await listen((req) => {
        dropped++;
        req.socket.destroy();
      });
      const dropReg = zooRegistration({ session: observer, service: { name: service, id: 'dropper', address: '127.0.0.1' }, handleSignals: false });
      registrations.push(dropReg);
      dropReg.attach(dropper);
      await dropReg.registered;
      // and one whose port refuses connections
      const ghostServer = await listen(express());
      const ghost = zooRegistration({ session: observer, service: { name: service, id: 'ghost', address: '127.0.0.1', port: 1 }, handleSignals: false });
      registrations.push(ghost);
      ghost.attach(ghostServer);
      await ghost.registered;

      const viaDropper = await gateway(service, { strategy: prefer('dropper') });
      const viaGhost = await gateway(service, { strategy: prefer('ghost') });
      await until(() => viaDropper.view().length === 3 && viaGhost.view().length === 3, 5000, 'the proxies to see all three');

      // POST reached the dropper: it may have acted on it, so no second instance sees it
      const post = await call(`${viaDropper.base}/svc/raw`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'once' });
      expect(post.status).toBe(502);
      expect(dropped).toBe(1);
      expect(good.seen.filter((s) => s.method === 'POST')).toHaveLength(0);

      // GET is idempotent: tried again elsewhere
      const get = await call(`${viaDropper.base}/svc/items/7`);
      expect(get.status).toBe(200);
      expect(dropped).toBe(2);

      // a refused connection sent nothing: even a POST goes to the next instance
      const refused = await call(`${viaGhost.base}/svc/raw`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'moved on' });
      expect(refused.status).toBe(201);
      expect(JSON.parse(refused.text).servedBy).not.toBe('ghost');
    }, 30_000);

    it('proxies WebSocket upgrades (ws on both ends) with X-Forwarded-For', async () => {
      const service = `ws${++serviceNo}`;
      const upstream = await listen((_req, res) => void res.writeHead(426).end());
      const wss = new WebSocketServer({ server: upstream });
      const upgrades: IncomingMessage[] = [];
      wss.on('connection', (socket, req) => {
        upgrades.push(req);
        socket.on('message', (data) => socket.send(`echo ${data.toString()} from ${req.url}`));
      });
      const registration = zooRegistration({ session: observer, service: { name: service, id: 'ws-1', address: '127.0.0.1' }, handleSignals: false });
      registrations.push(registration);
      registration.attach(upstream);
      await registration.registered;
      const gw = await gateway(service);
      await until(() => gw.view().length === 1, 5000, 'the proxy to see the instance');
      const client = new WebSocket(`ws://127.0.0.1:${port(gw.server)}/svc/chat?room=1`);
      const reply = await new Promise<string>((resolve, reject) => {
        client.once('open', () => client.send('hello'));
        client.once('message', (d) => resolve(d.toString()));
        client.once('error', reject);
      });
      expect(reply).toBe('echo hello from /chat?room=1');
      expect(upgrades[0].headers['x-forwarded-for']).toBe('127.0.0.1');
      client.close();
      await new Promise((r) => client.once('close', r));
      wss.close();

      // no instance to switch protocols with: a plain 503, and the socket is closed
      const empty = await gateway(`nobody${++serviceNo}`);
      const refused = new WebSocket(`ws://127.0.0.1:${port(empty.server)}/svc/chat`);
      const status = await new Promise<number>((resolve, reject) => {
        refused.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        refused.once('open', () => reject(new Error('opened without an instance')));
      });
      expect(status).toBe(503);
      refused.on('error', () => {}); // terminating a socket that never opened reports it
      refused.terminate();
    }, 30_000);

    it('zooHealth() is DOWN without a session, and follows a registration’s session', async () => {
      const app = express();
      const registration = zooRegistration({ connectionString: zoo.connectionString, service: { name: `health${++serviceNo}`, address: '127.0.0.1' }, handleSignals: false });
      app.get('/bare', zooHealth());
      app.get('/health', zooHealth({ session: () => registration.session }));
      app.get('/failing', zooHealth({ session: () => registration.session, check: () => Promise.reject(new Error('db down')) }));
      const server = await listen(app);
      const base = `http://127.0.0.1:${port(server)}`;
      const bare = await fetch(`${base}/bare`);
      expect([bare.status, await bare.json()]).toEqual([503, { status: 'DOWN', zoo: 'none' }]);
      expect((await fetch(`${base}/health`)).status).toBe(503); // not registered yet
      registrations.push(registration);
      registration.attach(server);
      await registration.registered;
      const up = await fetch(`${base}/health`);
      expect([up.status, await up.json()]).toEqual([200, { status: 'UP', zoo: 'connected' }]);
      expect((await fetch(`${base}/failing`)).status).toBe(503);
    });

    it('a registration built from a bare client registers again after its session expires', async () => {
      const service = `expiry${++serviceNo}`;
      const client = await ZooClient.connect(zoo.connectionString, { sessionTimeout: 2000 });
      const registration = zooRegistration({ client, service: { name: service, id: 'bare', address: '127.0.0.1' }, handleSignals: false });
      registrations.push(registration);
      registration.attach(await listen(express()));
      await registration.registered;
      const path = `/services/${service}/bare`;
      const firstOwner = (await observer.client.exists(path))?.ephemeralOwner;
      expect(firstOwner).toBe(client.sessionId);
      // another client takes the session over and closes it: the registration's session is gone
      const thief = new ZooClient(zoo.connectionString, { session: { id: client.sessionId, password: client.sessionPassword } });
      await thief.connect();
      await thief.close();
      await until(async () => {
        const stat = await observer.client.exists(path);
        return !!stat && stat.ephemeralOwner !== firstOwner;
      }, 15_000, 'the instance to be registered on a new session');
      expect(registration.session?.client).not.toBe(client);
      expect(registration.session?.client.state).toBe('connected');
      await client.close();
    }, 30_000);
  });
}
