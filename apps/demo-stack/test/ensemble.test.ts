import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooClient } from '@zoo/client';
import { requireZooKeeper, startZooKeeper, type ZooKeeperEnsemble, type ZooKeeperNode } from '@zoo/zookeeper';
import { DemoRun, isAlive, runPrinted, type Row } from './demo-run.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const START = join(ROOT, 'tools/scripts/start.mjs');
// a longer session timeout than the demo's 6 s: a loaded CI machine may take seconds to elect
const SESSION_TIMEOUT = 10_000;
const PORTS = { GATEWAY_PORT: '0', DASHBOARD_PORT: '0', ZOO_SESSION_TIMEOUT: String(SESSION_TIMEOUT) };

/** Every registered instance's znode and the session that owns it. */
async function registrations(client: ZooClient): Promise<Map<string, bigint>> {
  const owners = new Map<string, bigint>();
  for (const service of ['catalog', 'orders']) {
    const { children } = await client.getChildren(`/services/${service}`);
    for (const id of children) {
      const { stat } = await client.getData(`/services/${service}/${id}`);
      owners.set(`${service}/${id}`, BigInt(stat.ephemeralOwner));
    }
  }
  return owners;
}

/**
 * The ensemble path (`ZOO_CONNECT=... npm start`): the demo's processes on a real 3-node Apache
 * ZooKeeper, gateway load running while the leader is SIGKILLed.
 */
describe.runIf(requireZooKeeper('demo stack on a 3-node ensemble'))('demo stack on a 3-node Apache ZooKeeper ensemble', () => {
  let ensemble: ZooKeeperEnsemble;
  let demo: DemoRun;
  let orders2: DemoRun;
  let rows: Map<string, Row>;
  let gateway: string;
  let client: ZooClient;
  let killed: ZooKeeperNode;
  let before: Map<string, bigint>;

  const settings = async () => ((await (await fetch(`${gateway}/orders/settings`)).json()) as { greeting: string }).greeting;

  beforeAll(async () => {
    ensemble = await startZooKeeper({ nodes: 3, startTimeoutMs: 60_000 });
    demo = DemoRun.start(process.execPath, [START], { cwd: ROOT, env: { ...PORTS, ZOO_CONNECT: ensemble.connectionString } });
    await demo.waitFor(/Ctrl-C stops everything/, 120_000);
    rows = demo.table();
    gateway = rows.get('gateway')!.url;
    // a second orders instance, so two processes contend for the @WithLock section
    orders2 = DemoRun.start(process.execPath, [join(ROOT, 'apps/demo-stack/dist/main.js'), 'orders', '--name', 'orders-2', '--connect', ensemble.connectionString, '--session-timeout', String(SESSION_TIMEOUT)], { cwd: ROOT, env: {} });
    await orders2.waitFor(/orders-2 serving on http:\/\/127\.0\.0\.1:\d+ \(pid \d+\)/, 60_000);
    await demo.waitFor(/\+ orders instance/, 10_000);
    client = await ZooClient.connect(ensemble.connectionString);
  }, 200_000);

  afterAll(async () => {
    await client?.close();
    await orders2?.kill();
    await demo?.kill();
    await ensemble?.stop();
  }, 60_000);

  it('runs every demo service on the ensemble, no embedded server', async () => {
    expect(demo.output).toContain(`Starting the demo on ${ensemble.connectionString}`);
    expect([...rows.keys()].sort()).toEqual(['catalog-1', 'catalog-2', 'dashboard', 'ensemble', 'gateway', 'orders']);
    expect(rows.get('ensemble')!.url).toBe(ensemble.connectionString);
    before = await registrations(client);
    expect([...before.keys()].filter((k) => k.startsWith('catalog/')).sort()).toEqual(['catalog/catalog-1', 'catalog/catalog-2']);
    expect([...before.keys()].filter((k) => k.startsWith('orders/'))).toHaveLength(2);
  });

  it('the leader SIGKILLed under gateway load: no request fails, @WithLock sections never overlap, registrations survive on the same sessions', async () => {
    const results: string[] = [];
    const sections: Array<{ from: number; to: number; instance: string }> = [];
    let load = true;
    const loop = async (path: string, init?: RequestInit) => {
      while (load) {
        const res = await fetch(`${gateway}${path}`, init);
        results.push(`${init?.method ?? 'GET'} ${path} ${res.status}${res.status >= 300 ? ` ${await res.text()}` : ''}`);
        if (res.status >= 300) continue;
        const body = (await res.json()) as { lockHeld?: { from: number; to: number } };
        if (body.lockHeld) sections.push({ ...body.lockHeld, instance: res.headers.get('x-zoo-instance') ?? '' });
      }
    };
    const order = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ productId: 'p1', quantity: 1 }) };
    const loops = [loop('/catalog/products'), loop('/orders/settings'), loop('/orders/products'), loop('/orders', order), loop('/orders', order)];
    await expect.poll(() => results.length, { timeout: 20_000 }).toBeGreaterThan(40);

    killed = await ensemble.leader();
    await killed.kill('SIGKILL');
    const others = ensemble.nodes.filter((n) => n !== killed);
    await expect.poll(async () => (await Promise.all(others.map((n) => n.mode()))).sort(), { timeout: 60_000, interval: 250 }).toEqual(['follower', 'leader']);
    // load keeps running past a whole session timeout: a session that did not move to another
    // member in time would have expired by then (and its registration gone)
    await new Promise((r) => setTimeout(r, SESSION_TIMEOUT));
    const afterElection = results.length;
    await expect.poll(() => results.length, { timeout: 30_000 }).toBeGreaterThan(afterElection + 200);
    load = false;
    await Promise.all(loops);

    expect(results.filter((r) => !/ 20[01]$/.test(r))).toEqual([]);
    // both orders instances took the lock, and never at the same time
    expect(new Set(sections.map((s) => s.instance)).size).toBe(2);
    sections.sort((a, b) => a.from - b.from);
    const overlaps = sections.slice(1).filter((s, i) => s.from < sections[i].to);
    expect(overlaps).toEqual([]);
    expect(await registrations(client)).toEqual(before);
    // every @WithLock section released its lock node, none is left behind by the failover
    expect((await client.getChildren('/demo/locks/stock')).children).toEqual([]);
    expect(demo.output).not.toMatch(/killed by|exited with code/);
    for (const { pid } of rows.values()) if (pid) expect(isAlive(pid)).toBe(true);
    expect(isAlive(Number(/\(pid (\d+)\)/.exec(orders2.output)![1]))).toBe(true);
  }, 150_000);

  it('a config change made after the failover reaches orders', async () => {
    const set = await runPrinted(demo.printed(/^npx zoo .* config set demo-orders greeting /), ROOT);
    expect(set.code, set.stderr).toBe(0);
    await demo.waitFor(/config changed: \/config\/demo-orders\/greeting/, 10_000);
    // each orders instance, asked directly
    const urls = [rows.get('orders')!.url, /orders-2 serving on (\S+)/.exec(orders2.output)![1]];
    const greetings = async () => Promise.all(urls.map(async (u) => ((await (await fetch(`${u}/settings`)).json()) as { greeting: string }).greeting));
    await expect.poll(greetings, { timeout: 10_000 }).toEqual(['Hi from ZooKeeper', 'Hi from ZooKeeper']);
    expect(await settings()).toBe('Hi from ZooKeeper');
  }, 30_000);

  it('the killed node rejoins and serves the same registry', async () => {
    await killed.start();
    await expect.poll(() => killed.mode(), { timeout: 60_000, interval: 250 }).toMatch(/^(follower|leader)$/);
    const direct = await ZooClient.connect(`127.0.0.1:${killed.clientPort}`);
    try {
      await direct.sync('/services');
      expect((await direct.getChildren('/services/catalog')).children.sort()).toEqual(['catalog-1', 'catalog-2']);
      expect((await registrations(direct))).toEqual(before);
    } finally {
      await direct.close();
    }
  }, 90_000);
});

/** `npm start -- --ensemble`: the start script starts the 3-node ZooKeeper itself. */
describe.runIf(requireZooKeeper('npm start -- --ensemble'))('npm start -- --ensemble', () => {
  let demo: DemoRun;
  afterAll(async () => demo?.kill(), 60_000);

  it('starts a local 3-node ZooKeeper, runs the demo on it, prints the leader to kill, and Ctrl-C stops it all', async () => {
    demo = DemoRun.start(process.execPath, [START, '--ensemble'], { cwd: ROOT, env: PORTS });
    await demo.waitFor(/Ctrl-C stops everything/, 180_000);
    const rows = demo.table();
    const nodes = [...rows].filter(([name]) => name.startsWith('zookeeper-'));
    expect(nodes.map(([name]) => name)).toEqual(['zookeeper-1', 'zookeeper-2', 'zookeeper-3']);
    const leaders = nodes.filter(([, row]) => demo.output.includes(`${row.url}  (leader)`));
    expect(leaders).toHaveLength(1);
    expect(demo.printed(/the ZooKeeper leader dies/)).toBe(`kill -9 ${leaders[0][1].pid}`);

    const res = await fetch(`${rows.get('gateway')!.url}/catalog/products`);
    expect(res.status).toBe(200);
    const ls = await runPrinted(demo.printed(/^npx zoo .* services ls$/), ROOT);
    expect(ls.code, ls.stderr).toBe(0);
    expect(ls.stdout).toMatch(/catalog\s+2/);

    await demo.signal('SIGINT');
    expect(await demo.exited).toEqual({ code: 0, signal: null });
    expect(demo.output).toContain('- catalog instance catalog-1 left the registry');
    for (const { pid } of rows.values()) await expect.poll(() => isAlive(pid!), { timeout: 15_000 }).toBe(false);
  }, 240_000);
});

describe('npm start -- --ensemble without ZooKeeper', () => {
  it('names the Debian package to install, and starts nothing', async () => {
    // no java on PATH: what a machine without the zookeeper package (and its Java) looks like
    const run = DemoRun.start(process.execPath, [START, '--ensemble'], { cwd: ROOT, env: { ...PORTS, PATH: '/nonexistent' } });
    expect(await run.exited).toEqual({ code: 1, signal: null });
    expect(run.output).toMatch(/needs Apache ZooKeeper and Java: .*\nOn Debian\/Ubuntu: sudo apt-get install zookeeper/);
    expect(run.output).not.toContain('Starting');
  });

  it('rejects an unknown option by name', async () => {
    const run = DemoRun.start(process.execPath, [START, '--ensmble'], { cwd: ROOT, env: PORTS });
    expect(await run.exited).toEqual({ code: 2, signal: null });
    expect(run.output).toContain('unknown option "--ensmble"');
  });
});
