import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM benchmark script without type declarations
import { ratioBars, renderRatioChart } from '../src/chart.mjs';

const load = (opsPerSec: number, p99: number) => ({ opsPerSec, p50: p99 / 2, p99, p999: p99 * 2 });

describe('benchmark ratio chart', () => {
  const results = {
    server: {
      zoo: { 'get 4x64': load(300, 10), 'set 4x64': load(100, 40), 'mixed 1x1': load(10, 1) },
      zookeeper: { 'get 4x64': load(100, 30), 'set 4x64': load(80, 20), 'mixed 1x1': load(5, 1) },
      ceiling: { 'get 4x64': load(400, 5) },
    },
    fanout: { zoo: { fanoutMs: 10, ephemeralLossMs: 1 }, zookeeper: { fanoutMs: 15, ephemeralLossMs: 2 } },
    startup: { zooProcessMs: 100, zookeeperMs: 250 },
    memory: {
      zoo: { restartSnap: [1500, 1400], restartLog: [4000], loaded: { heap: 300, offHeap: 100, rss: 500 } },
      zk: { restartSnap: [3000, 3500], restartLog: [7000], loaded: { heap: 400, rss: 1500 } },
    },
    'slow-reader': { zoo: { rssGrowthMiB: 10 }, zookeeper: { rssGrowthMiB: 28 } },
  };

  it('turns every Zoo/ZooKeeper pair into a higher-is-better ratio with the issue targets', () => {
    const bars = ratioBars(results) as Array<{ group: string; label: string; ratio: number; target?: number }>;
    const by = (label: string, group: string) => bars.find((b) => b.label === label && b.group === group);
    expect(by('get 4×64', 'throughput (ops/s)')).toMatchObject({ ratio: 3, target: 3 });
    expect(by('set 4×64', 'throughput (ops/s)')?.ratio).toBeCloseTo(1.25);
    expect(by('get 4×64', 'p99 latency')?.ratio).toBeCloseTo(3); // 30 µs at ZK vs 10 at Zoo
    expect(by('set 4×64', 'p99 latency')?.ratio).toBeCloseTo(0.5);
    expect(by('fan-out to 1,000 watchers', 'watches & sessions')?.ratio).toBeCloseTo(1.5);
    expect(by('process start → first session', 'start & recovery')?.ratio).toBeCloseTo(2.5);
    expect(by('get 4×64', 'share of the Node ceiling')).toMatchObject({ ratio: 0.75, target: 0.6 });
    // best restart of each side: 3000 / 1400
    expect(by('restart, 1M znodes in snapshot', 'start & recovery')).toMatchObject({ target: 2 });
    expect(by('restart, 1M znodes in snapshot', 'start & recovery')?.ratio).toBeCloseTo(3000 / 1400);
    expect(by('1M znodes × 100 B: heap (+ off-heap)', 'memory')?.ratio).toBeCloseTo(1); // 400 vs 300 + 100
    expect(by('1M znodes × 100 B: RSS', 'memory')?.ratio).toBeCloseTo(3);
    expect(by('mixed 1×1', 'throughput (ops/s)')?.ratio).toBe(2);
    expect(by('slow reader: peak RSS growth', 'memory')).toMatchObject({ ratio: 2.8, target: 1 });
    expect(bars).toHaveLength(14);
    // sections missing from the results make no bars
    expect(ratioBars({ server: results.server }).some((b: { group: string }) => b.group === 'memory')).toBe(false);
  });

  it('draws one bar per ratio, scaled, and marks the ratios that miss their target (or parity)', () => {
    const bars = ratioBars(results);
    const svg: string = renderRatioChart(bars);
    expect(svg.startsWith('<svg')).toBe(true);
    const widths = [...svg.matchAll(/<rect x="\d+" y="[\d.]+" width="([\d.]+)" height="\d+" class="(bar[^"]*)"/g)].map((m) => ({ width: Number(m[1]), cls: m[2] }));
    expect(widths).toHaveLength(bars.length);
    // bar 0 is get 4×64 at 3×, bar 1 set 4×64 at 1.25× (then mixed 1×1): lengths in that proportion
    expect(widths[0].width / widths[1].width).toBeCloseTo(3 / 1.25, 2);
    // set 4×64 at 1.25× misses its 2× target, set p99 at 0.5× misses parity; the rest pass
    expect(widths.map((w) => w.cls.includes('worse'))).toEqual([false, true, false, false, true, false, false, false, false, false, false, false, false, false]);
    expect(svg).toContain('3.00× (target 3×, met)');
    expect(svg).not.toContain('NaN');
  });

  it('escapes labels so the SVG stays well-formed', () => {
    const svg: string = renderRatioChart([{ group: 'a & b', label: '<x>', ratio: 1.5 }]);
    expect(svg).toContain('a &amp; b');
    expect(svg).toContain('&lt;x&gt;');
  });
});
