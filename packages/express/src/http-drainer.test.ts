import { createServer, request, Agent, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpDrainer } from './http-drainer.js';

const started: Server[] = [];
afterEach(() => {
  for (const s of started.splice(0)) s.closeAllConnections();
});

function get(port: number, path: string, agent: Agent): Promise<IncomingMessage & { text: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d) => (text += d));
      res.on('end', () => resolve(Object.assign(res, { text })));
      res.on('error', reject);
    }).on('error', reject).end();
  });
}

async function serve(): Promise<{ server: Server; drainer: HttpDrainer; port: number; arrived: Promise<void>; finish: () => void }> {
  let finish!: () => void;
  const finished = new Promise<void>((r) => (finish = r));
  let arrived!: () => void;
  const arrivedP = new Promise<void>((r) => (arrived = r));
  const server = createServer((req, res) => {
    if (req.url === '/quick') return void res.end('quick');
    arrived();
    void finished.then(() => res.end('slow done'));
  });
  started.push(server);
  const drainer = new HttpDrainer(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, drainer, port: (server.address() as AddressInfo).port, arrived: arrivedP, finish };
}

describe('HttpDrainer', () => {
  it('closes idle keep-alive connections at once, lets a running request finish with Connection: close, refuses new connections', async () => {
    const { server, drainer, port, arrived, finish } = await serve();
    const idleAgent = new Agent({ keepAlive: true });
    const busyAgent = new Agent({ keepAlive: true });
    expect((await get(port, '/quick', idleAgent)).text).toBe('quick');
    const idleSocket = Object.values(idleAgent.freeSockets).flat()[0]!;
    const idleClosed = new Promise((r) => idleSocket.once('close', r));
    const slow = get(port, '/slow', busyAgent);
    await arrived;
    let drained = false;
    const draining = drainer.drain({ timeoutMs: 60_000 }).then(() => (drained = true));
    await idleClosed; // the idle connection went while the slow request still runs
    expect(drained).toBe(false);
    await expect(get(port, '/quick', new Agent())).rejects.toThrow(/ECONNREFUSED/);
    finish();
    const res = await slow;
    expect([res.statusCode, res.text, res.headers.connection]).toEqual([200, 'slow done', 'close']);
    await draining;
    expect(server.listening).toBe(false);
  });

  it('destroys requests still running at the deadline', async () => {
    const { drainer, port, arrived } = await serve();
    const slow = get(port, '/slow', new Agent()).then(
      () => 'answered',
      (err: Error) => err.message,
    );
    await arrived;
    await drainer.drain({ timeoutMs: 50 });
    expect(await slow).toMatch(/socket hang up|ECONNRESET/);
  });
});
