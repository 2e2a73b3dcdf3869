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
    // server.mjs --tree: the same scenarios from a large tree
    serverLargeTree: { tree: 500000, zoo: { 'set 4x64': load(90, 10) }, zookeeper: { 'set 4x64': load(50, 10) } },
    fanout: { zoo: { fanoutMs: 10, ephemeralLossMs: 1 }, zookeeper: { fanoutMs: 15, ephemeralLossMs: 2 } },
    startup: { zooProcessMs: 100, zookeeperMs: 250 },
    javaLatency: { zoo: { get: { p99: 500 }, set: { p99: 800 } }, zookeeper: { get: { p99: 600 }, set: { p99: 700 } } },
    memory: {
      tree: {
        zoo: { restartSnap: [1500, 1400, 1450], restartLog: [4000], loaded: { heap: 300, offHeap: 100, rss: 500 }, restarted: [{ rss: 400 }, { rss: 450 }, { rss: 420 }] },
        zk: { restartSnap: [3000, 3500, 2900], restartLog: [7000], loaded: { heap: 400, rss: 1500 }, restarted: [{ rss: 840 }, { rss: 800 }, { rss: 900 }] },
      },
      flat: {
        zoo: { restartSnap: [2000], restartLog: [5000], loaded: { heap: 300, offHeap: 100, rss: 800 }, restarted: [{ rss: 600 }] },
        zk: { restartSnap: [3000], restartLog: [7500], loaded: { heap: 400, rss: 1600 }, restarted: [{ rss: 900 }] },
      },
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
    // median restart of each side: 3000 / 1450
    expect(by('restart, 1M znodes (1k × 1k)', 'start & recovery')).toMatchObject({ target: 2 });
    expect(by('restart, 1M znodes (1k × 1k)', 'start & recovery')?.ratio).toBeCloseTo(3000 / 1450);
    expect(by('1M znodes (1k × 1k): heap (+ off-heap)', 'memory')?.ratio).toBeCloseTo(1); // 400 vs 300 + 100
    expect(by('1M znodes (1k × 1k): RSS loaded', 'memory')?.ratio).toBeCloseTo(3);
    expect(by('1M znodes (1k × 1k): RSS after restart', 'memory')?.ratio).toBeCloseTo(840 / 420);
    expect(by('restart, 1M under one parent', 'start & recovery')?.ratio).toBeCloseTo(1.5);
    expect(by('1M under one parent: RSS loaded', 'memory')?.ratio).toBeCloseTo(2);
    expect(by('log recovery, 1M under one parent', 'start & recovery')?.ratio).toBeCloseTo(1.5);
    expect(by('mixed 1×1', 'throughput (ops/s)')?.ratio).toBe(2);
    expect(by('slow reader: peak RSS growth', 'memory')).toMatchObject({ ratio: 2.8, target: 1 });
    expect(by('get 1×1, Java client', 'p99 latency')).toMatchObject({ ratio: 1.2, target: 1 });
    expect(by('set 1×1, Java client', 'p99 latency')?.ratio).toBeCloseTo(700 / 800);
    // p99 at every depth, the large tree's throughput against the writes' 2×
    expect(by('mixed 1×1', 'p99 latency')).toMatchObject({ ratio: 1, target: 1 });
    expect(by('set 4×64, 500k znodes', 'throughput (ops/s)')).toMatchObject({ ratio: 1.8, target: 2 });
    expect(bars).toHaveLength(24);
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
    // set 4×64 at 1.25× (and 1.8× with the large tree) misses its 2× target, set p99 at 0.5× misses parity (and the Java
    // client's set p99 at 0.875×), the flat restart at 1.5× misses its 2×; the rest pass
    const missed = widths.map((w, i) => (w.cls.includes('worse') ? bars[i].label : null)).filter(Boolean);
    expect(missed).toEqual(['set 4×64', 'set 4×64, 500k znodes', 'set 4×64', 'set 1×1, Java client', 'restart, 1M under one parent']);
    expect(svg).toContain('3.00× (target 3×, met)');
    expect(svg).not.toContain('NaN');
  });

  it('escapes labels so the SVG stays well-formed', () => {
    const svg: string = renderRatioChart([{ group: 'a & b', label: '<x>', ratio: 1.5 }]);
    expect(svg).toContain('a &amp; b');
    expect(svg).toContain('&lt;x&gt;');
  });
});
