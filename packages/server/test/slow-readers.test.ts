import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OpCode, OPEN_ACL_UNSAFE, type Request } from '@zoo/core';
import type { ZooServerOptions } from '../src/index.js';
import { deafClient as deafClientOf, RawClient, until } from './raw-client.js';

/**
 * Clients that send and never read, against the built server in its own process: its memory
 * (RSS, and the peak VmHWM, from /proc) must stay within what its limits allow plus generous
 * slack, and a normal client must be served all along. Without admission control the first
 * scenario took ZooServer past 3 GiB in seconds.
 */
const fixture = fileURLToPath(new URL('./fixtures/limits-server.mjs', import.meta.url));
const built = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const MiB = 1024 * 1024;
/** For the Node heap, JIT, sockets and allocator slack: far below what unbounded queues take. */
const SLACK = 150 * MiB;
const acl = [...OPEN_ACL_UNSAFE];

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

interface ServerProcess {
  port: number;
  /** Current and peak resident set, bytes. */
  memory(): { rss: number; peak: number };
  /** Warnings logged so far (parsed pino lines). */
  warnings: Array<{ msg: string; remoteAddress?: string; sessionId?: string }>;
}

type Limits = Pick<ZooServerOptions, 'globalOutstandingLimit' | 'clientOutputSoftLimit' | 'globalOutputLimit' | 'clientOutputHardLimit' | 'clientOutputTimeoutMs'>;

async function startServer(limits: Limits): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, [fixture, JSON.stringify(limits)], { stdio: ['ignore', 'pipe', 'pipe'] });
  cleanups.push(() => void child.kill('SIGKILL'));
  const warnings: ServerProcess['warnings'] = [];
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    let nl: number;
    while ((nl = stderr.indexOf('\n')) >= 0) {
      const line = stderr.slice(0, nl);
      stderr = stderr.slice(nl + 1);
      try {
        warnings.push(JSON.parse(line) as ServerProcess['warnings'][number]);
      } catch {
        warnings.push({ msg: line });
      }
    }
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once('exit', (code) => reject(new Error(`server exited early with ${code}: ${stderr}`)));
  });
  const memory = () => {
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kib('VmRSS'), peak: kib('VmHWM') };
  };
  return { port, memory, warnings };
}

async function rawClient(port: number): Promise<RawClient> {
  const c = await RawClient.open(port, { timeOut: 30_000 });
  cleanups.push(() => c.close());
  return c;
}

/** A client that never reads (raw-client's deafClient), destroyed after the test. */
async function deafClient(port: number, requests: Request[]): Promise<Socket> {
  const socket = await deafClientOf(port, requests);
  cleanups.push(() => void socket.destroy());
  return socket;
}

/** `n` round trips by a client that reads; every one must succeed. */
async function roundTrips(client: RawClient, path: string, n: number): Promise<number> {
  let ok = 0;
  for (let i = 0; i < n; i++) if ((await client.send({ op: OpCode.getData, path, watch: false })).header.err === 0) ok++;
  return ok;
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('slow readers: memory bounded by the limits, others served', () => {
  beforeAll(() => {
    // the server runs from its build in a child process; `npm test` builds first
    if (!existsSync(built)) throw new Error(`missing ${built}: run npm run build`);
  });

  it('a client pipelining 5,000 getData of a 1 MB node and never reading', async () => {
    const limits = { clientOutputSoftLimit: MiB, globalOutputLimit: 16 * MiB };
    const server = await startServer(limits);
    const normal = await rawClient(server.port);
    expect((await normal.send({ op: OpCode.create, path: '/big', data: Buffer.alloc(1_000_000, 3), acl, flags: 0 })).header.err).toBe(0);
    expect((await normal.send({ op: OpCode.create, path: '/small', data: Buffer.from('s'), acl, flags: 0 })).header.err).toBe(0);
    const baseline = server.memory().rss;

    await deafClient(server.port, Array.from({ length: 5000 }, () => ({ op: OpCode.getData, path: '/big', watch: false }) as Request));
    // served while the deaf client is stalled, and a second time after a while
    expect(await roundTrips(normal, '/small', 100)).toBe(100);
    await settle(2000);
    expect(await roundTrips(normal, '/small', 100)).toBe(100);

    const { rss, peak } = server.memory();
    const bound = baseline + limits.clientOutputSoftLimit + 1_000_000 + SLACK;
    expect(rss, `rss ${rss} baseline ${baseline}`).toBeLessThan(bound);
    expect(peak, `peak ${peak} baseline ${baseline}`).toBeLessThan(bound);
  }, 60_000);

  it('a watcher that never reads while its watched node changes 100,000 times', async () => {
    const limits = { clientOutputHardLimit: 8 * MiB, clientOutputTimeoutMs: 2000 };
    const server = await startServer(limits);
    const writer = await rawClient(server.port);
    const normal = await rawClient(server.port);
    // a long path: each notification is ~250 bytes, 100k of them ~25 MB, well over the hard limit
    const path = `/${'w'.repeat(200)}`;
    expect((await writer.send({ op: OpCode.create, path, data: null, acl, flags: 0 })).header.err).toBe(0);
    expect((await writer.send({ op: OpCode.create, path: '/small', data: Buffer.from('s'), acl, flags: 0 })).header.err).toBe(0);
    const baseline = server.memory().rss;

    // a persistent watch (addWatch, mode 0): one notification per change, never re-armed by the client
    const watcher = await deafClient(server.port, [{ op: OpCode.addWatch, path, mode: 0 }]);
    const watcherPort = watcher.localPort;
    await settle(200);

    const changes = 100_000;
    const inFlight = 500;
    let errors = 0;
    const writes = (async () => {
      for (let done = 0; done < changes; done += inFlight) {
        const batch = Array.from({ length: inFlight }, () => writer.send({ op: OpCode.setData, path, data: Buffer.from('v'), version: -1 }));
        for (const r of await Promise.all(batch)) if (r.header.err !== 0) errors++;
      }
    })();
    let served = 0;
    while (!(await Promise.race([writes.then(() => true), settle(0).then(() => false)]))) {
      served += await roundTrips(normal, '/small', 10);
    }
    expect(errors).toBe(0);
    expect(served).toBeGreaterThan(0);

    // the watcher's output stays over the hard limit: it is cut off after the deadline, by name
    await until(() => server.warnings.some((w) => w.msg.includes('client does not read')), 30_000, 'the deaf watcher to be closed');
    const line = server.warnings.find((w) => w.msg.includes('client does not read'))!;
    expect(line.remoteAddress).toBe(`127.0.0.1:${watcherPort}`);
    expect(line.sessionId).toMatch(/^0x[0-9a-f]+$/);
    expect(await roundTrips(normal, '/small', 100)).toBe(100);

    const { rss, peak } = server.memory();
    // all the notifications at once would fit: the hard limit plus what piles up before the deadline
    const bound = baseline + changes * 260 + SLACK;
    expect(rss, `rss ${rss} baseline ${baseline}`).toBeLessThan(bound);
    expect(peak, `peak ${peak} baseline ${baseline}`).toBeLessThan(bound);
  }, 120_000);

  it('1,000 slow readers at once', async () => {
    const limits = { clientOutputSoftLimit: 256 * 1024, globalOutputLimit: 16 * MiB };
    const server = await startServer(limits);
    const normal = await rawClient(server.port);
    const value = 20_000;
    expect((await normal.send({ op: OpCode.create, path: '/node', data: Buffer.alloc(value, 5), acl, flags: 0 })).header.err).toBe(0);
    expect((await normal.send({ op: OpCode.create, path: '/small', data: Buffer.from('s'), acl, flags: 0 })).header.err).toBe(0);
    const baseline = server.memory().rss;

    // each asks for 20 × 20 KB and reads nothing: 400 MB of replies in all. Loopback sockets'
    // kernel buffers take most of that (0.4-0.9 MB a socket here, outside the server's RSS), so
    // this checks the bound and that others are served with 1,000 stalled connections; asking
    // for more would push the machine's TCP memory (tcp_mem) into pressure. The 1 MB-node and
    // watcher cases above are the ones an unbounded server fails.
    const readers = 1000;
    const gets = Array.from({ length: 20 }, () => ({ op: OpCode.getData, path: '/node', watch: false }) as Request);
    let served = 0;
    for (let i = 0; i < readers; i += 100) {
      await Promise.all(Array.from({ length: 100 }, () => deafClient(server.port, gets)));
      served += await roundTrips(normal, '/small', 5);
    }
    expect(served).toBe(50);
    await settle(2000);
    expect(await roundTrips(normal, '/small', 100)).toBe(100);

    const { rss, peak } = server.memory();
    // the global output budget, plus one reply for each reader that held nothing, plus slack
    const bound = baseline + limits.globalOutputLimit + readers * value + SLACK;
    expect(rss, `rss ${rss} baseline ${baseline}`).toBeLessThan(bound);
    expect(peak, `peak ${peak} baseline ${baseline}`).toBeLessThan(bound);
  }, 120_000);
});
