#!/usr/bin/env node
// Discovery benchmark (issue #5): registration-to-visible latency at a watching consumer, and
// instance-loss-to-removal latency (the instance's session closes), against ZooServer and a
// real Apache ZooKeeper.   npm run build && node tools/bench/src/discovery.mjs [--rounds 50]
import { ZooSession } from '@zoo/client';
import { ServiceDiscovery, ServiceRegistry } from '@zoo/discovery';
import { ZooServer } from '@zoo/server';
import { startZooKeeper } from '@zoo/zookeeper';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = new Map(process.argv.slice(2).map((a, i, all) => [a, all[i + 1]]));
const rounds = Number(args.get('--rounds') ?? 50);
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function measure(name, connectionString) {
  const observer = new ZooSession(connectionString);
  await observer.start();
  const cache = await new ServiceDiscovery(observer, { basePath: '/bench-services' }).cache('svc');
  const visible = [];
  const removed = [];
  for (let i = 0; i < rounds; i++) {
    const session = new ZooSession(connectionString);
    await session.start();
    const registry = new ServiceRegistry(session, { basePath: '/bench-services' });
    const added = new Promise((r) => cache.once('added', r));
    let t = performance.now();
    await registry.register({ name: 'svc', id: `i${i}`, address: '127.0.0.1', port: 9000 });
    await added;
    visible.push(performance.now() - t);
    const gone = new Promise((r) => cache.once('removed', r));
    t = performance.now();
    await session.close(); // the instance's process ends its session: its ephemeral node goes
    await gone;
    removed.push(performance.now() - t);
  }
  await observer.close();
  const row = { name, visibleP50: pct(visible, 50), visibleP99: pct(visible, 99), removedP50: pct(removed, 50), removedP99: pct(removed, 99) };
  console.error(`${name}: register→visible p50 ${row.visibleP50.toFixed(2)} ms p99 ${row.visibleP99.toFixed(2)} ms; loss→removed p50 ${row.removedP50.toFixed(2)} ms p99 ${row.removedP99.toFixed(2)} ms`);
  return row;
}

const zoo = await ZooServer.start({ port: 0 });
const rows = [await measure('ZooServer (in-memory)', zoo.connectionString)];
await zoo.close();
const dir = mkdtempSync(join(tmpdir(), 'zoo-disco-bench-'));
const durable = await ZooServer.start({ port: 0, dataDir: dir });
rows.push(await measure('ZooServer (durable, fsync)', durable.connectionString));
await durable.close();
rmSync(dir, { recursive: true, force: true });
const zk = await startZooKeeper();
await measure('warm-up', zk.connectionString);
rows.push(await measure('Apache ZooKeeper 3.8', zk.connectionString));
await zk.stop();
console.log('| server | register→visible p50 / p99 ms | loss→removed p50 / p99 ms |\n|---|---|---|');
for (const r of rows) console.log(`| ${r.name} | ${r.visibleP50.toFixed(2)} / ${r.visibleP99.toFixed(2)} | ${r.removedP50.toFixed(2)} / ${r.removedP99.toFixed(2)} |`);
console.log(JSON.stringify(rows));
