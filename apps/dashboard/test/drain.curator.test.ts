import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooSession } from '@zoo/client';
import { ServiceRegistry } from '@zoo/discovery';
import { ZooServer } from '@zoo/server';
import { compileJava, curatorAvailable, requireCurator, runJavaToEnd } from '@zoo/zookeeper';
import { startDashboard, type Dashboard } from '@zoo/dashboard';

const fixture = fileURLToPath(new URL('./fixtures/CuratorProvider.java', import.meta.url));
const enabled = requireCurator('dashboard drain seen by Curator');

/** A drain from the dashboard, as Apache Curator's own ServiceProvider sees it. */
describe.runIf(enabled)("dashboard drain and Curator's ServiceProvider", () => {
  let classes: string;
  let server: ZooServer;
  let session: ZooSession;
  let registry: ServiceRegistry;
  let dashboard: Dashboard;

  beforeAll(async () => {
    if (!curatorAvailable()) throw new Error('Curator jars missing (apt-get install libcurator-discovery-java)');
    classes = compileJava([fixture]);
    server = await ZooServer.start({ host: '127.0.0.1', port: 0 });
    session = new ZooSession(server.connectionString);
    await session.start();
    registry = new ServiceRegistry(session);
    await registry.register({ name: 'pay', id: 'pay-1', address: '127.0.0.1', port: 7001 });
    await registry.register({ name: 'pay', id: 'pay-2', address: '127.0.0.1', port: 7002 });
    dashboard = await startDashboard({ connectionString: server.connectionString, allowEdit: true });
  }, 90_000);
  afterAll(async () => {
    await dashboard?.stop();
    await registry?.close();
    await session?.close();
    await server?.close();
  });

  const picks = async () => (await runJavaToEnd(classes, 'CuratorProvider', [server.connectionString, '/services', 'pay', '6'])).trim().split('\n').map((l) => l.replace(/^PICK /, ''));

  it('Curator picks a drained instance no more, and again once it is enabled', async () => {
    expect(new Set(await picks())).toEqual(new Set(['pay-1', 'pay-2']));
    const drain = await fetch(`${dashboard.url}/api/services/enabled`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'pay', id: 'pay-1', enabled: false }) });
    expect(drain.status).toBe(200);
    expect(await picks()).toEqual(Array(6).fill('pay-2'));
    await fetch(`${dashboard.url}/api/services/enabled`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'pay', id: 'pay-1', enabled: true }) });
    expect(new Set(await picks())).toEqual(new Set(['pay-1', 'pay-2']));
  }, 60_000);
});
