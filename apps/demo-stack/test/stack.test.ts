import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { DemoRun, isAlive, runPrinted, type Row } from './demo-run.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';

interface Products {
  servedBy: string;
}

/**
 * `npm start` as a user runs it: the built start script supervising one process per service,
 * driven over HTTP and through the commands it prints (`npx zoo ...`, `kill -9 ...`,
 * `npm run demo:catalog`), run verbatim by a shell in the repository root. It runs what is built
 * (`npm test` builds first; after changing an app alone, rebuild it before running this file).
 */
describe('demo stack in separate processes, end to end', () => {
  let demo: DemoRun;
  let extraCatalog: DemoRun | undefined;
  let rows: Map<string, Row>;
  let gateway: string;
  const dataDir = mkdtempSync(join(tmpdir(), 'zoo-demo-'));

  const catalogs = async (n: number): Promise<string[]> => {
    const seen: string[] = [];
    for (let i = 0; i < n; i++) {
      const res = await fetch(`${gateway}/catalog/products`);
      expect(res.status).toBe(200);
      seen.push(((await res.json()) as Products).servedBy);
    }
    return seen;
  };
  const registered = async (service: string): Promise<string[]> => {
    const res = await fetch(`${rows.get('dashboard')!.url}/api/services`);
    const list = (await res.json()) as Array<{ name: string; instances: Array<{ id: string }> }>;
    return (list.find((s) => s.name === service)?.instances.map((i) => i.id) ?? []).sort();
  };

  beforeAll(async () => {
    demo = DemoRun.start(process.execPath, [join(ROOT, 'tools/scripts/start.mjs')], {
      cwd: ROOT,
      env: { ZOO_PORT: '0', GATEWAY_PORT: '0', DASHBOARD_PORT: '0', ZOO_ADMIN_PORT: '0', ZOO_DATA_DIR: dataDir, ZOO_SESSION_TIMEOUT: '6000' },
    });
    await demo.waitFor(/Ctrl-C stops everything/, 120_000);
    rows = demo.table();
    gateway = rows.get('gateway')!.url;
  }, 130_000);

  afterAll(async () => {
    await extraCatalog?.kill();
    await demo?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('prints every service with its pid, each a separate live process', () => {
    expect([...rows.keys()].sort()).toEqual(['Zoo server', 'catalog-1', 'catalog-2', 'dashboard', 'gateway', 'orders']);
    const pids = [...rows.values()].map((r) => r.pid!);
    expect(new Set([...pids, demo.pid]).size).toBe(pids.length + 1);
    for (const pid of pids) expect(isAlive(pid)).toBe(true);
    expect(demo.output).toContain('session timeout 6 s');
  });

  it('routes through the gateway to both catalogs, and orders calls the catalog', async () => {
    expect(new Set(await catalogs(6))).toEqual(new Set(['catalog-1', 'catalog-2']));
    const order = await fetch(`${gateway}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ productId: 'p2', quantity: 2 }) });
    expect(order.status).toBe(201);
    expect(await order.json()).toMatchObject({ product: 'Curator mug', quantity: 2, total: 18 });
  });

  it('the printed `npx zoo` commands work as printed, through the CLI bin npm ci links', async () => {
    const services = await runPrinted(demo.printed(/^npx zoo .* services ls$/), ROOT);
    expect(services.code, services.stderr).toBe(0);
    expect(services.stdout).toMatch(/catalog\s+2/);
    const tree = await runPrinted(demo.printed(/^npx zoo .* tree \/services$/), ROOT);
    expect(tree.code, tree.stderr).toBe(0);
    expect(tree.stdout).toContain('catalog-1');
    const stats = await fetch(demo.printed(/^curl \S+\/commands\/server_stats$/).split(' ')[1]);
    expect(stats.status).toBe(200);
    expect(await stats.json()).toMatchObject({ server_stats: expect.anything() });
  });

  it('a printed `npx zoo config set` reaches orders: the next /orders/settings shows it', async () => {
    const settings = async () => ((await (await fetch(`${gateway}/orders/settings`)).json()) as { greeting: string }).greeting;
    expect(await settings()).toBe('Welcome to the Zoo');
    const set = await runPrinted(demo.printed(/^npx zoo .* config set demo-orders greeting /), ROOT);
    expect(set.code, set.stderr).toBe(0);
    await demo.waitFor(/config changed: \/config\/demo-orders\/greeting/);
    await expect.poll(settings, { timeout: 10_000 }).toBe('Hi from ZooKeeper');
  });

  describe.runIf(existsSync(CHROMIUM) || process.env.CI === 'true')('dashboard in headless Chromium', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      });
    }, 30_000);
    afterAll(async () => browser?.close());

    it('browses the tree, lists services and sessions (through the admin API), and shows changes live', async () => {
      const page = await browser.newPage();
      await page.goto(rows.get('dashboard')!.url);
      await page.locator('#status', { hasText: 'live' }).waitFor({ timeout: 10_000 });
      await page.locator('.service', { hasText: 'orders' }).waitFor({ timeout: 10_000 });
      expect(await page.locator('.service', { hasText: 'catalog' }).locator('.instance').count()).toBe(2);
      await page.locator('#sessions td', { hasText: /^\/services\/catalog\/catalog-1$/ }).waitFor({ timeout: 10_000 });
      await page.locator('span[data-path="/config"]').click();
      await page.locator('span[data-path="/config/demo-orders"]').click();
      await page.locator('span[data-path="/config/demo-orders/currency"]').click();
      await expect.poll(async () => page.locator('#node-data').textContent(), { timeout: 5000 }).toBe('EUR');
      const create = await runPrinted(`npx zoo --server ${rows.get('Zoo server')!.url} create /dashboard-live hi`, ROOT);
      expect(create.code, create.stderr).toBe(0);
      await page.locator('.event', { hasText: 'NodeCreated  /dashboard-live' }).waitFor({ timeout: 10_000 });
      await page.screenshot({ path: `${process.env.TMPDIR ?? '/tmp'}/zoo-dashboard.png` });
      await page.close();
    }, 60_000);
  });

  it('kill -9 of a catalog: every gateway call is still answered, and the instance leaves the registry when its session expires', async () => {
    const statuses: number[] = [];
    const servedBy: string[] = [];
    let load = true;
    const loop = async () => {
      while (load) {
        const res = await fetch(`${gateway}/catalog/products`);
        statuses.push(res.status);
        servedBy.push(res.status === 200 ? ((await res.json()) as Products).servedBy : await res.text());
      }
    };
    const loops = [loop(), loop(), loop()];
    await expect.poll(() => statuses.length, { timeout: 10_000 }).toBeGreaterThan(20);

    const victim = rows.get('catalog-1')!.pid!;
    const kill = await runPrinted(demo.printed(/^kill -9 \d+/), ROOT);
    expect(kill.code, kill.stderr).toBe(0);
    expect(demo.printed(/^kill -9 \d+/)).toContain(String(victim));
    await expect.poll(() => isAlive(victim), { timeout: 10_000 }).toBe(false);
    await demo.waitFor(new RegExp(`catalog-1 \\(pid ${victim}\\) killed by SIGKILL; not restarted`), 10_000);

    await expect.poll(() => registered('catalog'), { timeout: 30_000, interval: 500 }).toEqual(['catalog-2']);
    await demo.waitFor(/- catalog instance catalog-1 left the registry/, 10_000);
    const afterExpiry = statuses.length;
    await expect.poll(() => statuses.length, { timeout: 10_000 }).toBeGreaterThan(afterExpiry + 20);
    load = false;
    await Promise.all(loops);

    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(servedBy.slice(afterExpiry)).toEqual(servedBy.slice(afterExpiry).map(() => 'catalog-2'));
    expect(isAlive(rows.get('catalog-2')!.pid!)).toBe(true);
  }, 90_000);

  it('`npm run demo:catalog` as printed starts one more catalog that joins the load balancing', async () => {
    extraCatalog = DemoRun.start('sh', ['-c', demo.printed(/npm run demo:catalog/)], { cwd: ROOT, env: {} });
    await extraCatalog.waitFor(/catalog-3 serving on http:\/\/127\.0\.0\.1:\d+ \(pid \d+\)/, 60_000);
    await demo.waitFor(/\+ catalog instance catalog-3 at 127\.0\.0\.1:\d+/, 10_000);
    expect(await registered('catalog')).toEqual(['catalog-2', 'catalog-3']);
    await expect.poll(async () => new Set(await catalogs(4)), { timeout: 10_000 }).toEqual(new Set(['catalog-2', 'catalog-3']));
  }, 90_000);

  it('SIGINT (Ctrl-C) stops every process, each service unregistering first', async () => {
    const extraPid = Number(/\(pid (\d+)\)/.exec(extraCatalog!.output)![1]);
    await extraCatalog!.signal('SIGINT');
    await demo.waitFor(/- catalog instance catalog-3 left the registry/, 10_000);
    await expect.poll(() => isAlive(extraPid), { timeout: 10_000 }).toBe(false);

    await demo.signal('SIGINT');
    expect(await demo.exited).toEqual({ code: 0, signal: null });
    const stopping = demo.output.slice(demo.output.indexOf('SIGINT: unregistering'));
    expect(stopping).toContain('- catalog instance catalog-2 left the registry');
    expect(stopping).toMatch(/- orders instance \S+ left the registry/);
    for (const { pid } of rows.values()) await expect.poll(() => isAlive(pid!), { timeout: 10_000 }).toBe(false);
  }, 60_000);
});
