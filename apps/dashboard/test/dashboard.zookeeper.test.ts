import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { ZooClient, ZooSession } from '@zoo/client';
import { ServiceDiscovery, ServiceRegistry } from '@zoo/discovery';
import { requireZooKeeper, startZooKeeper, type ZooKeeperEnsemble } from '@zoo/zookeeper';
import { startDashboard, type Dashboard, type HostMetrics } from '@zoo/dashboard';
import { launchChromium, OUTPUT, requireChromium } from './browser.js';

const metricsOf = async (d: Dashboard) => (await (await fetch(`${d.url}/api/metrics`)).json()) as HostMetrics[];

/**
 * The dashboard on a real Apache ZooKeeper: no /metrics there, so each host of the connection
 * string is read with `mntr` (or `srvr` where the whitelist refuses mntr) and charted per host.
 */
describe.runIf(requireZooKeeper('dashboard on Apache ZooKeeper'))('dashboard on Apache ZooKeeper', () => {
  describe('a 3-node ensemble (mntr allowed)', () => {
    let zk: ZooKeeperEnsemble;
    let dashboard: Dashboard;
    let client: ZooClient;
    let browser: Browser | undefined;

    beforeAll(async () => {
      zk = await startZooKeeper({ nodes: 3 });
      client = await ZooClient.connect(zk.connectionString);
      dashboard = await startDashboard({ connectionString: zk.connectionString, metricsIntervalMs: 500, allowEdit: true });
    }, 90_000);
    afterAll(async () => {
      await browser?.close();
      await dashboard?.stop();
      await client?.close();
      await zk?.stop();
    }, 60_000);

    it('charts every member of the ensemble from mntr, with its role, znodes and read/update rates', async () => {
      // a first reading of every member before the load, so the load shows as a rate
      await expect.poll(async () => (await metricsOf(dashboard)).every((h) => h.points.length > 0), { timeout: 30_000 }).toBe(true);
      for (let i = 0; i < 20; i++) await client.create(`/load-${i}`, 'x');
      for (let i = 0; i < 100; i++) await client.getData('/load-0');
      // every member has applied the creates, and the one serving the client shows the load as a rate
      await expect
        .poll(
          async () => {
            const hosts = await metricsOf(dashboard);
            const rated = hosts.some((h) => h.points.some((p) => (p.requestsPerSec.read ?? 0) > 0 || (p.requestsPerSec.update ?? 0) > 0));
            return rated && hosts.every((h) => !h.error && (h.points[h.points.length - 1].znodes ?? 0) >= 21);
          },
          { timeout: 30_000 },
        )
        .toBe(true);
      const hosts = await metricsOf(dashboard);
      expect(hosts.map((h) => h.name).sort()).toEqual(zk.nodes.map((n) => `127.0.0.1:${n.clientPort}`).sort());
      const lasts = hosts.map((h) => h.points[h.points.length - 1]);
      for (const p of lasts) {
        expect(p.source).toBe('mntr');
        expect(p.znodes).toBeGreaterThanOrEqual(21);
        expect(p.latencyMs).toHaveProperty('read p99');
        expect(p.latencyMs).toHaveProperty('update p50');
      }
      expect(lasts.map((p) => p.mode).sort()).toEqual(['follower', 'follower', 'leader']);
      const withConnection = lasts.filter((p) => (p.connections ?? 0) > 0);
      expect(withConnection.length).toBeGreaterThanOrEqual(1);
    }, 90_000);

    it('edits with a version check and drains through ZooKeeper like through ZooServer', async () => {
      const call = async (method: string, path: string, body: unknown) =>
        fetch(`${dashboard.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      await client.setData('/load-1', 'moved', 0);
      const stale = await call('PUT', '/api/node', { path: '/load-1', data: 'mine', version: 0 });
      expect(stale.status).toBe(409);
      expect(await stale.json()).toMatchObject({ code: 'BADVERSION', current: { data: 'moved', stat: { version: 1 } } });

      const session = new ZooSession(zk.connectionString);
      await session.start();
      const registry = new ServiceRegistry(session);
      const discovery = new ServiceDiscovery(session);
      try {
        await registry.register({ name: 'zk-svc', id: 'a', address: '127.0.0.1', port: 1 });
        await registry.register({ name: 'zk-svc', id: 'b', address: '127.0.0.1', port: 2 });
        const provider = await discovery.provider('zk-svc');
        await expect.poll(() => provider.instances().length, { timeout: 10_000 }).toBe(2);
        expect((await call('POST', '/api/services/enabled', { name: 'zk-svc', id: 'a', enabled: false })).status).toBe(200);
        await expect.poll(() => provider.instances().map((i) => i.id), { timeout: 10_000 }).toEqual(['b']);
        const activity = async () => ((await (await fetch(`${dashboard.url}/api/activity`)).json()) as Array<{ text: string }>).map((a) => a.text);
        await expect.poll(activity, { timeout: 10_000 }).toContain('drained zk-svc/a at 127.0.0.1:1: out of rotation');
        expect(await activity()).toContain('registered zk-svc/b at 127.0.0.1:2');
      } finally {
        await registry.close();
        await discovery.close();
        await session.close();
      }
    }, 30_000);

    it('lists sessions with their timeout, ephemerals and watches from cons / wchc / dump', async () => {
      await client.create('/eph-session', 'x', { mode: 'ephemeral' });
      await client.getData('/load-2', { watch: () => {} });
      const id = `0x${client.sessionId.toString(16)}`;
      type Row = { id: string; timeout: number; ephemerals: string[]; watches: string[] };
      await expect
        .poll(async () => ((await (await fetch(`${dashboard.url}/api/sessions`)).json()) as Row[]).find((r) => r.id === id), { timeout: 10_000 })
        .toMatchObject({ timeout: expect.any(Number), ephemerals: ['/eph-session'], watches: expect.arrayContaining(['/load-2']) });
      const rows = (await (await fetch(`${dashboard.url}/api/sessions`)).json()) as Row[];
      expect(rows.find((r) => r.id === id)!.timeout).toBeGreaterThan(0);
      // the dashboard's own session is there too (it holds the recursive watch on /)
      expect(rows.length).toBeGreaterThanOrEqual(2);
    }, 30_000);

    it.runIf(requireChromium('dashboard on ZooKeeper in Chromium'))('shows one chart block per host in the browser', async () => {
      browser = await launchChromium();
      const page = await browser.newPage({ viewport: { width: 1400, height: 1300 } });
      await page.goto(dashboard.url);
      await expect.poll(async () => page.locator('.host').count(), { timeout: 10_000 }).toBe(3);
      await expect.poll(async () => Math.min(...(await Promise.all((await page.locator('.host .chart[data-metric="znodes"]').all()).map(async (c) => Number(await c.getAttribute('data-points')))))), { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
      await expect.poll(async () => (await page.locator('.host .role').allTextContents()).sort(), { timeout: 10_000 }).toEqual(['mntr · follower', 'mntr · follower', 'mntr · leader']);
      await expect.poll(async () => page.locator('.chart[data-metric="latency"]').first().getAttribute('data-series'), { timeout: 10_000 }).toBe('read p50,read p99,update p50,update p99');
      await page.screenshot({ path: `${OUTPUT}/zookeeper-ensemble.png`, fullPage: true });
      await page.close();
    }, 40_000);

    it('marks a host that went down as unreachable, keeps charting the others, and picks it up again when it rejoins', async () => {
      const leader = await zk.leader();
      await leader.kill('SIGKILL');
      try {
        await expect
          .poll(async () => (await metricsOf(dashboard)).find((h) => h.name === `127.0.0.1:${leader.clientPort}`)?.error, { timeout: 15_000 })
          .toMatch(/mntr to 127\.0\.0\.1:\d+/);
        // the two left elect a leader among themselves and keep their charts going
        await expect
          .poll(async () => (await metricsOf(dashboard)).filter((h) => h.name !== `127.0.0.1:${leader.clientPort}`).map((h) => h.error === undefined && h.points[h.points.length - 1].mode), { timeout: 20_000 })
          .toEqual(expect.arrayContaining(['leader', 'follower']));
      } finally {
        await leader.start();
      }
      await expect
        .poll(async () => (await metricsOf(dashboard)).map((h) => (h.error ? 'down' : `${h.points[h.points.length - 1].source} ${h.points[h.points.length - 1].mode}`)).sort(), { timeout: 30_000 })
        .toEqual(['mntr follower', 'mntr follower', 'mntr leader']);
    }, 60_000);
  });

  describe('ZooKeeper with the default 4lw whitelist (srvr only)', () => {
    let zk: ZooKeeperEnsemble;
    let dashboard: Dashboard;

    beforeAll(async () => {
      zk = await startZooKeeper({ extraConfig: { '4lw.commands.whitelist': 'srvr' } });
      dashboard = await startDashboard({ connectionString: zk.connectionString, metricsIntervalMs: 300 });
    }, 60_000);
    afterAll(async () => {
      await dashboard?.stop();
      await zk?.stop();
    }, 30_000);

    it('falls back to srvr: znodes, connections and the request rate, without watches', async () => {
      await expect.poll(async () => (await metricsOf(dashboard))[0].points.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
      const [host] = await metricsOf(dashboard);
      const last = host.points[host.points.length - 1];
      expect(last).toMatchObject({ source: 'srvr', mode: 'standalone', watches: null });
      expect(last.znodes).toBeGreaterThanOrEqual(1);
      expect(last.connections).toBeGreaterThanOrEqual(1);
      expect(Object.keys(last.requestsPerSec)).toEqual(['all']);
    });
  });
});
