#!/usr/bin/env node
// Discovery benchmark (issue #5): registration-to-visible latency at a watching consumer, and
// instance-loss-to-removal latency (the instance's session closes), against ZooServer and a
// real Apache ZooKeeper.   npm run build && node tools/bench/src/discovery.mjs [--rounds 50]
import { ZooSession } from '@zoo/client';
import { ServiceDiscovery, ServiceRegistry } from '@zoo/discovery';
import { acrossServers, cliArgs, fmtField, percentile, runCount, serversNote, summarizeRuns } from './bench-kit.mjs';

const args = cliArgs();
const rounds = Number(args.get('--rounds') ?? 50);

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
  const row = { name, visibleP50: percentile(visible, 50), visibleP99: percentile(visible, 99), removedP50: percentile(removed, 50), removedP99: percentile(removed, 99) };
  console.error(`${name}: register→visible p50 ${row.visibleP50.toFixed(2)} ms p99 ${row.visibleP99.toFixed(2)} ms; loss→removed p50 ${row.removedP50.toFixed(2)} ms p99 ${row.removedP99.toFixed(2)} ms`);
  return row;
}

const runs = runCount(args);
console.error(`${serversNote()}; ${runs} run(s)`);
// one row per server: each figure is the median of the runs, range[figure] its min and max
const rows = (await acrossServers(measure, runs)).map(({ name, perRun }) => ({ name, ...summarizeRuns(perRun.map(({ name: _, ...figures }) => figures)) }));
const ms = (r, k) => fmtField(r, k, (v) => v.toFixed(2));
console.log(`${serversNote()}; median (min–max) of ${runs} runs`);
console.log('| server | register→visible p50 / p99 ms | loss→removed p50 / p99 ms |\n|---|---|---|');
for (const r of rows) console.log(`| ${r.name} | ${ms(r, 'visibleP50')} / ${ms(r, 'visibleP99')} | ${ms(r, 'removedP50')} / ${ms(r, 'removedP99')} |`);
console.log(JSON.stringify(rows));
