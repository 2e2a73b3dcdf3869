import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { until } from '@zoo/zookeeper';
import { z } from 'zod';
import { ZooSession } from '@zoo/client';
import { ConfigManager, ConfigWriter, type ConfigDiff } from '../src/index.js';

export interface Target {
  start(): Promise<{ connectionString: string; stop(): Promise<void> }>;
}


export function configSuite(name: string, target: Target, enabled = true): void {
  describe.runIf(enabled)(`config against ${name}`, () => {
    let server: Awaited<ReturnType<Target['start']>>;
    const sessions: ZooSession[] = [];
    const managers: ConfigManager<unknown>[] = [];
    let n = 0;
    beforeAll(async () => {
      server = await target.start();
    }, 60_000);
    afterAll(async () => server?.stop());
    afterEach(async () => {
      for (const m of managers.splice(0)) await m.close();
      for (const s of sessions.splice(0)) await s.close();
    });
    const session = async () => {
      const s = new ZooSession(server.connectionString);
      await s.start();
      sessions.push(s);
      return s;
    };
    const root = () => `/config-${process.pid}-${n++}`;

    it('merges Spring Cloud Zookeeper contexts, most specific first, with nested keys', async () => {
      const r = root();
      const writer = new ConfigWriter((await session()).client);
      await writer.import(`${r}/application`, { 'db.pool.max': '5', region: 'eu', timeout: '30' });
      await writer.import(`${r}/application,dev`, { timeout: '5' });
      await writer.import(`${r}/orders`, { 'db.pool.max': '20', 'db.url': 'postgres://orders' });
      await writer.import(`${r}/orders,dev`, { 'db.url': 'postgres://dev' });
      const m = new ConfigManager(await session(), { app: 'orders', profiles: ['dev'], root: r });
      managers.push(m);
      expect(await m.load()).toEqual({ db: { pool: { max: '20' }, url: 'postgres://dev' }, region: 'eu', timeout: '5' });
      expect(m.get('db.url')).toBe('postgres://dev');
      expect(await writer.export(`${r}/orders`, 'properties')).toBe('db.pool.max=20\ndb.url=postgres://orders\n');
      await expect((await session()).client.getChildren(`${r}/orders/db`)).resolves.toMatchObject({ children: expect.arrayContaining(['pool', 'url']) });
    });

    it('reloads live, emits the changed keys, and keeps the last good config when an update fails validation', async () => {
      const r = root();
      const writer = new ConfigWriter((await session()).client);
      await writer.import(`${r}/svc`, { port: '8080', name: 'svc' });
      const schema = z.object({ port: z.coerce.number().int().min(1).max(65535), name: z.string() });
      const m = new ConfigManager(await session(), { app: 'svc', root: r, schema });
      managers.push(m);
      expect(await m.load()).toEqual({ port: 8080, name: 'svc' });
      const diffs: ConfigDiff[] = [];
      const errors: Error[] = [];
      m.on('change', (d: ConfigDiff) => diffs.push(d));
      m.on('error', (e: Error) => errors.push(e));
      await writer.set(`${r}/svc`, 'port', '9090');
      await until(() => diffs.length === 1, 5000, 'change');
      expect(diffs[0]).toEqual({ changed: ['port'], added: [], removed: [] });
      expect(m.config.port).toBe(9090);
      await writer.set(`${r}/svc`, 'port', 'not-a-port');
      await until(() => errors.length === 1, 5000, 'validation error');
      expect(errors[0].message).toMatch(/rejected, keeping the last good one/);
      expect(m.config.port).toBe(9090);
      expect(m.get('port')).toBe('9090');
    });

    it('readers never see half of a writer’s change', async () => {
      const r = root();
      const writer = new ConfigWriter((await session()).client);
      await writer.import(`${r}/atomic`, { 'a.version': '0', 'b.version': '0', 'c.version': '0' });
      const readers = await Promise.all([0, 1].map(async () => {
        const m = new ConfigManager(await session(), { app: 'atomic', root: r });
        managers.push(m);
        await m.load();
        return m;
      }));
      const torn: string[] = [];
      for (const m of readers) m.on('change', () => {
        const v = [m.get('a.version'), m.get('b.version'), m.get('c.version')];
        if (new Set(v).size !== 1) torn.push(v.join(','));
      });
      for (let i = 1; i <= 25; i++) await writer.import(`${r}/atomic`, { 'a.version': String(i), 'b.version': String(i), 'c.version': String(i) });
      await until(() => readers.every((m) => m.get('a.version') === '25'), 10_000, 'readers to catch up');
      expect(torn).toEqual([]);
    }, 30_000);

    it('starts from the cache file (stale) when the coordination service is unreachable', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'zoo-config-cache-'));
      try {
        const r = root();
        const cacheFile = join(dir, 'orders.json');
        await new ConfigWriter((await session()).client).import(`${r}/cached`, { mode: 'live' });
        const online = new ConfigManager(await session(), { app: 'cached', root: r, cacheFile });
        managers.push(online);
        expect(await online.load()).toEqual({ mode: 'live' });
        await new Promise((r2) => setTimeout(r2, 50)); // the cache file is written after the load
        const offlineSession = new ZooSession('127.0.0.1:1', { connectTimeout: 500, sessionTimeout: 2000 });
        const offline = new ConfigManager(offlineSession, { app: 'cached', root: r, cacheFile });
        managers.push(offline);
        expect(await offline.load()).toEqual({ mode: 'live' });
        expect(offline.stale).toBe(true);
        await expect(new ConfigManager(new ZooSession('127.0.0.1:1', { connectTimeout: 300 }), { app: 'cached', root: r }).load()).rejects.toMatchObject({ code: -4 });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('document mode: one znode with JSON or YAML', async () => {
      const r = root();
      const s = await session();
      await s.client.mkdirp(r);
      await s.client.create(`${r}/doc.yaml`, 'server:\n  port: 8080\nfeatures: [a, b]\n');
      const m = new ConfigManager(await session(), { app: 'doc', document: { path: `${r}/doc.yaml`, format: 'yaml' } });
      managers.push(m);
      expect(await m.load()).toEqual({ server: { port: '8080' }, features: { 0: 'a', 1: 'b' } });
      const changed = new Promise<ConfigDiff>((resolve) => m.once('change', resolve));
      await s.client.setData(`${r}/doc.yaml`, 'server:\n  port: 9090\nfeatures: [a, b]\n');
      expect(await changed).toEqual({ changed: ['server.port'], added: [], removed: [] });
    });
  });
}
