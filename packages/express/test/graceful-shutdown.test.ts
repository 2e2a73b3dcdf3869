import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '@zoo/zookeeper';
import { ZooSession } from '@zoo/client';
import { ServiceDiscovery, type ServiceCache } from '@zoo/discovery';
import { ZooServer } from '@zoo/server';
import { discoveryProxy, zooRegistration, type DiscoveryProxy, type ZooRegistration } from '../src/index.js';

const fixture = fileURLToPath(new URL('./fixtures/graceful-service.mjs', import.meta.url));

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: { servedBy?: string };
}

function get(url: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    request(url, { agent: new Agent() }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) as Reply['body'] }));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

/** The built service in its own process; `lines` collects what it logs. */
function service(connectionString: string, expressModule: string, shutdownTimeoutMs: number) {
  const child: ChildProcess = spawn(process.execPath, [fixture, connectionString, 'a', expressModule, String(shutdownTimeoutMs)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let buffered = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    buffered += d;
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    lines.push(...parts);
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const line = async (prefix: string) => {
    await until(() => lines.some((l) => l.startsWith(prefix)), 20_000, `the service to log "${prefix}"`);
    return lines.find((l) => l.startsWith(prefix))!;
  };
  return { child, lines, exited, line, requests: () => lines.filter((l) => l.startsWith('request ')).length };
}

/**
 * Graceful shutdown of a registered service, tested from outside as it happens in production:
 * the built package in its own process, SIGTERM, a gateway (discoveryProxy) and a second
 * instance in front of it.
 */
describe('graceful shutdown on SIGTERM (built @zoo/express in a child process)', () => {
  let zoo: ZooServer;
  let observer: ZooSession;
  let cache: ServiceCache;
  let proxy: DiscoveryProxy;
  let gateway: Server;
  let other: Server;
  let otherRegistration: ZooRegistration;
  let base: string;
  const ids = () => cache.instances().map((i) => i.id).sort().join();

  beforeAll(async () => {
    zoo = await ZooServer.start({ port: 0, tickTime: 500, minSessionTimeout: 1000 });
    observer = new ZooSession(zoo.connectionString);
    await observer.start();
    const discovery = new ServiceDiscovery(observer);
    cache = await discovery.cache('graceful');
    const b = express();
    b.get('/items/:n', (req, res) => void res.json({ servedBy: 'b', n: req.params.n }));
    otherRegistration = zooRegistration({ session: observer, service: { name: 'graceful', id: 'b', address: '127.0.0.1' }, handleSignals: false });
    other = otherRegistration.attach(b.listen(0, '127.0.0.1'));
    await otherRegistration.registered;
    proxy = discoveryProxy('graceful', { discovery });
    const gw = express();
    gw.use(proxy);
    gateway = gw.listen(0, '127.0.0.1');
    await new Promise((r) => gateway.once('listening', r));
    base = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await proxy.close();
    gateway.closeAllConnections();
    await new Promise((r) => gateway.close(r));
    other.closeAllConnections();
    await otherRegistration.stop();
    await observer.close();
    await zoo.close();
  });

  for (const expressModule of ['express', 'express4']) {
    it(`${expressModule}: unregisters, refuses new connections, finishes the request in flight, then exits`, async () => {
      const a = service(zoo.connectionString, expressModule, 20_000);
      try {
        const port = Number((await a.line('ready ')).split(' ')[1]);
        await until(() => ids() === 'a,b', 10_000, 'the gateway to see a and b');
        // the gateway reaches a (and keeps pooled connections to it)
        const before = await Promise.all(Array.from({ length: 6 }, (_, i) => get(`${base}/items/${i}`)));
        expect(new Set(before.map((r) => r.body.servedBy))).toEqual(new Set(['a', 'b']));

        const slow = get(`http://127.0.0.1:${port}/slow`);
        let slowDone = false;
        void slow.then(() => (slowDone = true));
        await a.line('slow started');
        a.child.kill('SIGTERM');

        await until(() => ids() === 'b', 10_000, 'a to leave the registry');
        await until(() => get(`http://127.0.0.1:${port}/items/x`).then(() => false, (e: NodeJS.ErrnoException) => e.code === 'ECONNREFUSED'), 10_000, 'a to refuse connections');
        expect(slowDone).toBe(false); // unregistered and closed while its request still runs

        const seen = a.requests();
        const after = await Promise.all(Array.from({ length: 10 }, (_, i) => get(`${base}/items/${i}`)));
        expect(after.map((r) => [r.status, r.body.servedBy])).toEqual(Array.from({ length: 10 }, () => [200, 'b']));
        expect(a.requests()).toBe(seen); // nothing reached a through the gateway after it unregistered

        a.child.stdin!.write('release\n');
        const done = await slow;
        expect([done.status, done.body.servedBy, done.headers.connection]).toEqual([200, 'a', 'close']);
        expect(await a.exited).toBe(143);
        expect(a.lines.at(-1)).toBe('exit 143');
      } finally {
        a.child.kill('SIGKILL');
      }
    }, 60_000);
  }

  it('SIGINT (Ctrl-C) shuts down the same way and exits with 130', async () => {
    const a = service(zoo.connectionString, 'express', 20_000);
    try {
      await a.line('ready ');
      await until(() => ids().includes('a'), 10_000, 'the gateway to see a');
      a.child.kill('SIGINT');
      expect(await a.exited).toBe(130);
      await until(() => !ids().includes('a'), 10_000, 'a to leave the registry');
    } finally {
      a.child.kill('SIGKILL');
    }
  }, 60_000);

  it('cuts requests still running at the shutdown deadline and exits', async () => {
    const a = service(zoo.connectionString, 'express', 200);
    try {
      const port = Number((await a.line('ready ')).split(' ')[1]);
      const slow = get(`http://127.0.0.1:${port}/slow`).then(
        () => 'answered',
        (e: Error) => e.message,
      );
      await a.line('slow started');
      a.child.kill('SIGTERM');
      expect(await slow).toMatch(/socket hang up|ECONNRESET/);
      expect(await a.exited).toBe(143);
      await until(() => !ids().includes('a'), 10_000, 'a to leave the registry');
    } finally {
      a.child.kill('SIGKILL');
    }
  }, 60_000);
});
