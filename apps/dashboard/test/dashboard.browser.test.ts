import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ZooClient, ZooSession } from '@zoo/client';
import { generateDigest, Perms } from '@zoo/core';
import { ServiceDiscovery, ServiceRegistry, type ServiceProvider } from '@zoo/discovery';
import { ZooServer } from '@zoo/server';
import { startDashboard, type Dashboard } from '@zoo/dashboard';
import { launchChromium, OUTPUT, requireChromium, startDashboardProcess } from './browser.js';

/**
 * The dashboard as an operator uses it: the built `zoo-dashboard` bin in its own process
 * (editing allowed), against a ZooServer in another, driven in headless Chromium.
 */
describe.runIf(requireChromium('dashboard in headless Chromium'))('dashboard in headless Chromium', () => {
  let server: ZooServer;
  let client: ZooClient;
  let session: ZooSession;
  let registry: ServiceRegistry;
  let discovery: ServiceDiscovery;
  let provider: ServiceProvider;
  let browser: Browser;
  let page: Page;
  let dashboard: Awaited<ReturnType<typeof startDashboardProcess>>;
  let readOnly: Dashboard | undefined;
  const listeners: Server[] = [];
  let load = true;
  let loadLoop: Promise<void> | undefined;

  const listen = async () => {
    const s = createServer((c) => c.end());
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    listeners.push(s);
    return (s.address() as { port: number }).port;
  };

  beforeAll(async () => {
    server = await ZooServer.start({ host: '127.0.0.1', port: 0, adminPort: 0 });
    client = await ZooClient.connect(server.connectionString);
    await client.create('/app', 'root of the app');
    await client.create('/app/settings', 'colour=blue');
    await client.create('/app/secret', 'only for ops', { acl: [{ perms: Perms.ALL, id: { scheme: 'digest', id: generateDigest('ops:secret') } }] });
    session = new ZooSession(server.connectionString);
    await session.start();
    registry = new ServiceRegistry(session);
    discovery = new ServiceDiscovery(session);
    await registry.register({ name: 'web', id: 'web-1', address: '127.0.0.1', port: await listen() });
    await registry.register({ name: 'web', id: 'web-2', address: '127.0.0.1', port: await listen() });
    provider = await discovery.provider('web');
    // a steady trickle of requests for the charts (bounded: it stops with the suite)
    loadLoop = (async () => {
      for (let i = 0; load && i < 100_000; i++) {
        await client.getData('/app/settings');
        if (i % 20 === 0) await new Promise((r) => setTimeout(r, 20));
      }
    })();
    dashboard = await startDashboardProcess(['--connect', server.connectionString, '--port', '0', '--admin-url', `http://127.0.0.1:${server.adminPort}`, '--allow-edit', '--metrics-interval', '500'], { ZOO_AUTH: 'ops:secret' });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
  }, 60_000);

  afterAll(async () => {
    load = false;
    await loadLoop;
    await browser?.close();
    await dashboard?.stop();
    await readOnly?.stop();
    await registry?.close();
    await discovery?.close();
    await session?.close();
    await client?.close();
    await server?.close();
    for (const s of listeners) s.close();
  }, 30_000);

  it('loads the page from the separate process, and the charts fill with the server metrics', async () => {
    await page.goto(dashboard.url);
    await page.locator('#status', { hasText: 'live' }).waitFor({ timeout: 10_000 });
    expect(await page.locator('#mode').textContent()).toBe('editing allowed');
    const znodes = page.locator('.host .chart[data-metric="znodes"]');
    await expect.poll(async () => Number(await znodes.getAttribute('data-points')), { timeout: 15_000 }).toBeGreaterThanOrEqual(4);
    for (const metric of ['requests', 'latency', 'connections', 'znodes', 'watches', 'fsync']) expect(await page.locator(`.chart[data-metric="${metric}"] canvas`).count()).toBeGreaterThan(0);
    // the request chart has a series for the op the load runs, and a latency p50/p99
    await expect.poll(async () => page.locator('.chart[data-metric="requests"]').getAttribute('data-series'), { timeout: 10_000 }).toMatch(/getData/);
    await expect.poll(async () => page.locator('.chart[data-metric="latency"]').getAttribute('data-series'), { timeout: 10_000 }).toBe('p50,p99');
    expect(Number(await znodes.locator('.last').textContent())).toBeGreaterThan(5);
    expect(await page.locator('.host .role').first().textContent()).toMatch(/prometheus/);
    await page.screenshot({ path: `${OUTPUT}/charts.png` });
  }, 40_000);

  it('browses the tree and shows data, Stat and ACL, with the digest identity from ZOO_AUTH', async () => {
    await page.locator('span[data-path="/app"]').click();
    await page.locator('span[data-path="/app/settings"]').click();
    await expect.poll(async () => page.locator('#node-data').textContent(), { timeout: 10_000 }).toBe('colour=blue');
    expect(await page.locator('#node-acl').textContent()).toBe('world:anyone rwcda (31)');
    expect(await page.locator('#node-version').textContent()).toBe('version 0');
    // the bin's session carries the ZOO_AUTH digest identity: a node only `ops` may read
    await page.locator('span[data-path="/app/secret"]').click();
    await expect.poll(async () => page.locator('#node-data').textContent(), { timeout: 10_000 }).toBe('only for ops');
    expect(await page.locator('#node-acl').textContent()).toBe(`digest:${generateDigest('ops:secret')} rwcda (31)`);
    await page.locator('span[data-path="/app/settings"]').click();
    await expect.poll(async () => page.locator('#node-data').textContent(), { timeout: 10_000 }).toBe('colour=blue');
  });

  it('sets a node with a version check, and shows the conflict when the node moved on', async () => {
    await page.locator('#edit-data').fill('colour=green');
    await page.locator('#save').click();
    await page.locator('#edit-result', { hasText: 'saved: version 1' }).waitFor({ timeout: 5000 });
    expect((await client.getData('/app/settings')).data!.toString()).toBe('colour=green');
    // another client changes it while the operator is editing version 1
    await client.setData('/app/settings', 'colour=red', 1);
    await page.locator('#edit-data').fill('colour=purple');
    await page.locator('#save').click();
    await page.locator('.conflict').waitFor({ timeout: 5000 });
    expect(await page.locator('#conflict-version').textContent()).toBe('2');
    expect(await page.locator('#conflict-data').textContent()).toBe('colour=red');
    expect((await client.getData('/app/settings')).data!.toString()).toBe('colour=red');
    await page.locator('#node').screenshot({ path: `${OUTPUT}/conflict.png` });
    // taking the current version and saving again works
    await page.locator('#take-current').click();
    await page.locator('#edit-data').fill('colour=purple');
    await page.locator('#save').click();
    await page.locator('#edit-result', { hasText: 'saved: version 3' }).waitFor({ timeout: 5000 });
  });

  it('creates and deletes a child from the page', async () => {
    // collapse and expand /app again, selecting it; the form is there once the last click's node is shown
    await page.locator('span[data-path="/app"]').click();
    await page.locator('span[data-path="/app"]').click();
    await page.locator('#node:not([data-loading]) #node-path', { hasText: /^\/app$/ }).waitFor({ timeout: 5000 });
    await page.locator('#create-name').fill('made-in-browser');
    await page.locator('#create-data').fill('hello');
    await page.locator('#create').click();
    await page.locator('#edit-result', { hasText: 'created /app/made-in-browser' }).waitFor({ timeout: 5000 });
    expect((await client.getData('/app/made-in-browser')).data!.toString()).toBe('hello');
    // the tree follows the watch events: the new child shows under its expanded parent
    const child = page.locator('span[data-path="/app/made-in-browser"]');
    await child.waitFor({ timeout: 5000 });
    await child.click();
    await expect.poll(async () => page.locator('#node-data').textContent(), { timeout: 10_000 }).toBe('hello');
    await page.locator('#delete').click();
    await page.locator('#node-body', { hasText: '/app/made-in-browser deleted' }).waitFor({ timeout: 5000 });
    expect(await client.exists('/app/made-in-browser')).toBeNull();
    await child.waitFor({ state: 'detached', timeout: 5000 });
  });

  it('drains an instance: the balancer stops choosing it; enabling puts it back', async () => {
    const row = page.locator('.service[data-service="web"] .instance[data-id="web-1"]');
    await row.locator('.health.up').waitFor({ timeout: 10_000 });
    expect(provider.instances().map((i) => i.id).sort()).toEqual(['web-1', 'web-2']);
    await row.locator('button.drain').click();
    await row.locator('.state.drained').waitFor({ timeout: 10_000 });
    await expect.poll(() => provider.instances().map((i) => i.id), { timeout: 10_000 }).toEqual(['web-2']);
    const picks = Array.from({ length: 6 }, () => provider.getInstance()!.id);
    expect(new Set(picks)).toEqual(new Set(['web-2']));
    await page.locator('.activity.drained', { hasText: 'drained web/web-1' }).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: `${OUTPUT}/drained.png` });
    await row.locator('button.undrain').click();
    await row.locator('.state.in-rotation').waitFor({ timeout: 10_000 });
    await expect.poll(() => provider.instances().map((i) => i.id).sort(), { timeout: 10_000 }).toEqual(['web-1', 'web-2']);
  });

  it('shows registrations, deregistrations and config changes in the activity panel as they happen', async () => {
    const port = await listen();
    await registry.register({ name: 'web', id: 'web-3', address: '127.0.0.1', port });
    await page.locator('.activity.registered', { hasText: `registered web/web-3 at 127.0.0.1:${port}` }).waitFor({ timeout: 10_000 });
    await page.locator('.service[data-service="web"] .instance[data-id="web-3"]').waitFor({ timeout: 10_000 });
    await registry.unregister({ name: 'web', id: 'web-3' });
    await page.locator('.activity.deregistered', { hasText: 'deregistered web/web-3' }).waitFor({ timeout: 10_000 });
    await client.create('/config', null);
    await client.create('/config/web', null);
    await client.create('/config/web/timeout', '30s');
    await page.locator('.activity.config-set', { hasText: 'config web: timeout = 30s' }).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: `${OUTPUT}/activity.png`, fullPage: true });
  });

  it('read-only mode (the default): no edit controls, and the API refuses a write sent from the page', async () => {
    readOnly = await startDashboard({ connectionString: server.connectionString });
    const ro = await browser.newPage();
    await ro.goto(readOnly.url);
    expect(await ro.locator('#mode').textContent()).toBe('read-only');
    await ro.locator('span[data-path="/app"]').click();
    await ro.locator('span[data-path="/app/settings"]').click();
    await expect.poll(async () => ro.locator('#node-data').textContent(), { timeout: 10_000 }).toBe('colour=purple');
    expect(await ro.locator('#save').count()).toBe(0);
    await ro.locator('.service[data-service="web"] .instance').first().waitFor({ timeout: 10_000 });
    expect(await ro.locator('button.drain').count()).toBe(0);
    const answer = await ro.evaluate(async () => {
      const r = await fetch('/api/node', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ path: '/app/settings', data: 'sneaky', version: -1 }) });
      return { status: r.status, body: await r.json() };
    });
    expect(answer.status).toBe(403);
    expect((await client.getData('/app/settings')).data!.toString()).toBe('colour=purple');
    await ro.close();
  });
});
