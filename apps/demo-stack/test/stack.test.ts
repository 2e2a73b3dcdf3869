import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { ZooSession } from '@zoo/client';
import { ConfigWriter } from '@zoo/config';
import { ServiceDiscovery } from '@zoo/discovery';
import { startStack, type Stack } from '../src/index.js';

const CHROMIUM = '/usr/bin/chromium';

/** The `npm start` stack end to end: gateway → services, failover, live config, the dashboard in a real browser. */
describe('demo stack end to end', () => {
  let stack: Stack;
  let session: ZooSession;
  const events: string[] = [];
  beforeAll(async () => {
    stack = await startStack();
    stack.on('registered', (i) => events.push(`+${i.name}/${i.id}`));
    stack.on('unregistered', (i) => events.push(`-${i.name}/${i.id}`));
    session = new ZooSession(stack.urls.zoo);
    await session.start();
  }, 60_000);
  afterAll(async () => {
    await session?.close();
    await stack?.stop();
  });

  it('routes through the gateway to both catalog instances and to orders (which calls the catalog)', async () => {
    const servedBy = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${stack.urls.gateway}/catalog/products`);
      expect(res.status).toBe(200);
      servedBy.add(((await res.json()) as { servedBy: string }).servedBy);
    }
    expect(servedBy).toEqual(new Set(['catalog-1', 'catalog-2']));
    const order = await fetch(`${stack.urls.gateway}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ productId: 'p2', quantity: 2 }) });
    expect(order.status).toBe(201);
    expect(await order.json()).toMatchObject({ product: 'Curator mug', quantity: 2, total: 18, greeting: 'Welcome to the Zoo' });
  });

  it('shows a config change on the next response, without a restart', async () => {
    await new ConfigWriter(session.client).set('/config/demo-orders', 'greeting', 'Hello from ZooKeeper config');
    await expect.poll(async () => ((await (await fetch(`${stack.urls.gateway}/orders/settings`)).json()) as { greeting: string }).greeting, { timeout: 5000 }).toBe('Hello from ZooKeeper config');
  });

  it('keeps serving when a catalog instance dies, and the instance leaves the registry', async () => {
    await stack.catalogs[0].stop();
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${stack.urls.gateway}/catalog/products`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { servedBy: string }).servedBy).toBe('catalog-2');
    }
    const discovery = new ServiceDiscovery(session);
    await expect.poll(async () => (await discovery.instances('catalog')).map((i) => i.id), { timeout: 5000 }).toEqual(['catalog-2']);
    expect(events).toContain('-catalog/catalog-1');
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

    it('browses the tree, lists services, and shows changes live', async () => {
      const page = await browser.newPage();
      await page.goto(stack.urls.dashboard);
      await page.locator('#status', { hasText: 'live' }).waitFor({ timeout: 10_000 });
      await page.locator('.service', { hasText: 'orders' }).waitFor({ timeout: 10_000 });
      expect(await page.locator('.service', { hasText: 'catalog' }).locator('.instance').count()).toBe(1);
      await page.locator('span[data-path="/config"]').click();
      await page.locator('span[data-path="/config/demo-orders"]').click();
      await page.locator('span[data-path="/config/demo-orders/currency"]').click();
      await expect.poll(async () => page.locator('#node-data').textContent(), { timeout: 5000 }).toBe('EUR');
      await session.client.create('/dashboard-live', 'hi');
      await page.locator('.event', { hasText: 'NodeCreated  /dashboard-live' }).waitFor({ timeout: 5000 });
      await page.screenshot({ path: `${process.env.TMPDIR ?? '/tmp'}/zoo-dashboard.png` });
      await page.close();
    }, 30_000);
  });
});
