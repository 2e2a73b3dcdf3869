#!/usr/bin/env node
// Renders the ZooServer ÷ ZooKeeper ratios of one `npm run bench` run as an SVG bar chart
// (docs/benchmarks-ratios.svg). Every bar is "how many times better than ZooKeeper", so higher
// is better whatever the unit: throughput is Zoo/ZK, times and memory are ZK/Zoo.
//   node tools/bench/src/chart.mjs [docs/bench-results.json] [docs/benchmarks-ratios.svg]
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** "mixed 4x64" → "mixed 4×64" (connections × depth). */
const scenario = (key) => key.replace(/(\d)x(\d)/, '$1×$2');

/** The bars a results file supports: { group, label, ratio, target? }. Missing sections are skipped. */
export function ratioBars(results) {
  const bars = [];
  const server = results.server;
  if (server?.zoo && server?.zookeeper) {
    // the issues' targets: reads ≥ 3× and writes ≥ 2× at 4×64, p99 at or below ZooKeeper's at every depth
    const targets = { 'get 4x64': 3, 'set 4x64': 2, 'create 4x64': 2 };
    for (const key of Object.keys(server.zoo)) {
      const zk = server.zookeeper[key];
      if (!zk) continue;
      bars.push({ group: 'throughput (ops/s)', label: scenario(key), ratio: server.zoo[key].opsPerSec / zk.opsPerSec, target: targets[key] });
    }
    // server.mjs --tree: the same scenarios from a large tree on both servers
    const big = results.serverLargeTree;
    for (const key of Object.keys(big?.zoo ?? {})) {
      const zk = big.zookeeper?.[key];
      if (zk) bars.push({ group: 'throughput (ops/s)', label: `${scenario(key)}, ${Math.round(big.tree / 1000)}k znodes`, ratio: big.zoo[key].opsPerSec / zk.opsPerSec, target: targets[key] });
    }
    for (const key of Object.keys(server.zoo)) {
      const zk = server.zookeeper[key];
      if (zk) bars.push({ group: 'p99 latency', label: scenario(key), ratio: zk.p99 / server.zoo[key].p99, target: 1 });
    }
  }
  // java-latency.mjs: ZooKeeper's own Java client at 1 connection × 1 in flight
  for (const op of ['get', 'set']) {
    const zoo = results.javaLatency?.zoo?.[op];
    const zk = results.javaLatency?.zookeeper?.[op];
    if (zoo?.p99 > 0 && zk?.p99 > 0) bars.push({ group: 'p99 latency', label: `${op} 1×1, Java client`, ratio: zk.p99 / zoo.p99, target: 1 });
  }
  // not against ZooKeeper: the share of what a bare Node server answering canned replies reaches
  for (const key of Object.keys(server?.ceiling ?? {})) {
    const zoo = server.zoo?.[key];
    if (zoo) bars.push({ group: 'share of the Node ceiling', label: scenario(key), ratio: zoo.opsPerSec / server.ceiling[key].opsPerSec, target: 0.6 });
  }
  const time = (group, label, zoo, zk, target) => {
    if (typeof zoo === 'number' && typeof zk === 'number' && zoo > 0) bars.push({ group, label, ratio: zk / zoo, target });
  };
  time('watches & sessions', 'fan-out to 1,000 watchers', results.fanout?.zoo?.fanoutMs, results.fanout?.zookeeper?.fanoutMs);
  time('watches & sessions', 'ephemeral loss → NodeDeleted', results.fanout?.zoo?.ephemeralLossMs, results.fanout?.zookeeper?.ephemeralLossMs);
  time('start & recovery', 'process start → first session', results.startup?.zooProcessMs, results.startup?.zookeeperMs);
  // tools/bench/src/memory.mjs, per tree shape: medians of its restarts; ZooServer's heap counts
  // its off-heap node data too. (Results from before the shapes hold one tree-shaped section.)
  const memory = results.memory ?? {};
  const shapes = memory.zoo ? { tree: memory } : { tree: memory.tree, flat: memory.flat };
  const med = (xs) => {
    if (!Array.isArray(xs) || !xs.length) return undefined;
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  };
  const name = (shape) => (shape === 'flat' ? '1M under one parent' : '1M znodes (1k × 1k)');
  // one group of restarts for both shapes, then one of memory
  for (const [shape, section] of Object.entries(shapes)) {
    const { zoo, zk } = section ?? {};
    time('start & recovery', `restart, ${name(shape)}`, med(zoo?.restartSnap), med(zk?.restartSnap), 2);
    time('start & recovery', `log recovery, ${name(shape)}`, med(zoo?.restartLog), med(zk?.restartLog));
  }
  for (const [shape, section] of Object.entries(shapes)) {
    const { zoo, zk } = section ?? {};
    const restarted = (o, f) => med(Array.isArray(o?.restarted) ? o.restarted.map(f) : []);
    time('memory', `${name(shape)}: heap (+ off-heap)`, zoo?.loaded && zoo.loaded.heap + zoo.loaded.offHeap, zk?.loaded?.heap, 1);
    time('memory', `${name(shape)}: RSS loaded`, zoo?.loaded?.rss, zk?.loaded?.rss, 1);
    time('memory', `${name(shape)}: RSS after restart`, restarted(zoo, (m) => m.rss), restarted(zk, (m) => m.rss), 1);
  }
  const slow = results['slow-reader'];
  time('memory', 'slow reader: peak RSS growth', slow?.zoo?.rssGrowthMiB, slow?.zookeeper?.rssGrowthMiB, 1);
  return bars;
}

const escape = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** One horizontal bar per ratio, grouped, on a linear scale with the 1× line marked. */
export function renderRatioChart(bars, { title = 'ZooServer vs Apache ZooKeeper 3.8 — times better (higher is better)', subtitle = '' } = {}) {
  const labelWidth = 260;
  const plotWidth = 440;
  const rowHeight = 22;
  const groupGap = 26;
  const top = subtitle ? 62 : 46;
  const max = Math.max(2, Math.ceil(Math.max(...bars.map((b) => Math.max(b.ratio, b.target ?? 0)), 1) * 1.1));
  const x = (v) => labelWidth + (Math.min(v, max) / max) * plotWidth;
  const parts = [];
  let y = top;
  let group;
  for (const bar of bars) {
    if (bar.group !== group) {
      group = bar.group;
      y += group === bars[0].group ? 0 : groupGap / 2;
      parts.push(`<text x="8" y="${y + 12}" class="group">${escape(group)}</text>`);
      y += groupGap - 6;
    }
    const met = bar.target === undefined || bar.ratio >= bar.target;
    const better = bar.target === undefined ? bar.ratio >= 1 : met;
    parts.push(
      `<text x="${labelWidth - 8}" y="${y + 15}" class="label" text-anchor="end">${escape(bar.label)}</text>`,
      `<rect x="${labelWidth}" y="${y + 3}" width="${(x(bar.ratio) - labelWidth).toFixed(1)}" height="${rowHeight - 6}" class="${better ? 'bar' : 'bar worse'}"><title>${escape(`${bar.label}: ${bar.ratio.toFixed(2)}×`)}</title></rect>`,
      `<text x="${(Math.max(x(bar.ratio), bar.target === undefined ? 0 : x(bar.target)) + 4).toFixed(1)}" y="${y + 15}" class="value">${bar.ratio.toFixed(2)}×${bar.target !== undefined ? ` (target ${bar.target}×${met ? ', met' : ', not met'})` : ''}</text>`,
    );
    if (bar.target !== undefined) parts.push(`<line x1="${x(bar.target).toFixed(1)}" x2="${x(bar.target).toFixed(1)}" y1="${y + 1}" y2="${y + rowHeight - 1}" class="target"/>`);
    y += rowHeight;
  }
  const height = y + 36;
  const width = labelWidth + plotWidth + 170;
  const ticks = [];
  for (let v = 0; v <= max; v += max > 8 ? 2 : 1) ticks.push(`<line x1="${x(v)}" x2="${x(v)}" y1="${top - 4}" y2="${y}" class="${v === 1 ? 'one' : 'grid'}"/><text x="${x(v)}" y="${y + 16}" class="tick" text-anchor="middle">${v}×</text>`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    '<style>.group{font-weight:bold}.bar{fill:#3b7dd8}.worse{fill:#d8743b}.grid{stroke:#ddd}.one{stroke:#333;stroke-dasharray:3 2}.target{stroke:#c00;stroke-width:2}.tick,.value{fill:#333}</style>',
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="8" y="20" font-size="14" font-weight="bold">${escape(title)}</text>`,
    subtitle ? `<text x="8" y="38" fill="#555">${escape(subtitle)}</text>` : '',
    ...ticks,
    ...parts,
    `<text x="8" y="${height - 6}" fill="#555">Red marks: the issue's targets; orange bars miss their target (or parity where there is none). Dashed line: 1×.</text>`,
    '</svg>',
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const input = process.argv[2] ?? 'docs/bench-results.json';
  const output = process.argv[3] ?? 'docs/benchmarks-ratios.svg';
  const results = JSON.parse(readFileSync(input, 'utf8'));
  const bars = ratioBars(results);
  if (bars.length === 0) throw new Error(`${input} holds no ZooServer/ZooKeeper pairs to chart`);
  writeFileSync(output, renderRatioChart(bars, { subtitle: results.meta ? `${results.meta.date}, ${results.meta.machine}` : '' }));
  console.log(`${output}: ${bars.length} ratios`);
}
