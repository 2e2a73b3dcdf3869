import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { OpCode } from '@zoo/core';
import { LatencyHistogram } from './latency-histogram.js';

const bounds = [0.0001, 0.001, 0.01, 0.1, 1];

/** The same observations into ours and into a stock prom-client histogram. */
function pair(observations: Array<[OpCode, number]>) {
  const oursRegistry = new Registry();
  const stockRegistry = new Registry();
  const ours = new LatencyHistogram('lat_seconds', 'latency', bounds, oursRegistry);
  const stock = new Histogram({ name: 'lat_seconds', help: 'latency', labelNames: ['op'], buckets: bounds, registers: [stockRegistry] });
  for (const [op, s] of observations) {
    ours.record(op, s);
    stock.observe({ op: OpCode[op] }, s);
  }
  return { ours, stock, oursRegistry, stockRegistry };
}

describe('LatencyHistogram', () => {
  const observations: Array<[OpCode, number]> = [
    [OpCode.getData, 0.00005],
    [OpCode.getData, 0.0001], // on a bound: counted in that bucket (le is ≤)
    [OpCode.getData, 0.002],
    [OpCode.create, 0.05],
    [OpCode.create, 3], // above every bound: only +Inf
    [OpCode.getData, 0.0009],
  ];

  it('exposes exactly what a stock prom-client histogram exposes for the same observations', async () => {
    const { oursRegistry, stockRegistry } = pair(observations);
    const text = await oursRegistry.metrics();
    expect(text).toBe(await stockRegistry.metrics());
    expect(text).toContain('lat_seconds_bucket{le="0.0001",op="getData"} 2\n');
    expect(text).toContain('lat_seconds_bucket{le="+Inf",op="create"} 2\n');
    expect(text).toContain('lat_seconds_count{op="getData"} 4\n');
  });

  it('answers get() (JSON) as the stock histogram does, and reset() empties it', async () => {
    const { ours, stock } = pair(observations);
    const sortByLine = (v: Awaited<ReturnType<typeof ours.get>>) => v.values.map((x) => `${x.metricName}${JSON.stringify(Object.entries(x.labels).sort())}=${x.value}`).sort();
    expect(sortByLine(await ours.get())).toEqual(sortByLine(await stock.get()));
    ours.reset();
    expect((await ours.get()).values).toEqual([]);
  });

  it('without a label: one series, shown as zeros before anything is recorded and empty after reset(), as a stock unlabelled histogram', async () => {
    const oursRegistry = new Registry();
    const stockRegistry = new Registry();
    const ours = new LatencyHistogram('sync_seconds', 'sync', bounds, oursRegistry, false);
    const stock = new Histogram({ name: 'sync_seconds', help: 'sync', buckets: bounds, registers: [stockRegistry] });
    expect(await oursRegistry.metrics()).toBe(await stockRegistry.metrics());
    for (const [op, s] of observations) {
      ours.record(op, s);
      stock.observe(s);
    }
    const text = await oursRegistry.metrics();
    expect(text).toBe(await stockRegistry.metrics());
    expect(text).toContain('sync_seconds_bucket{le="0.001"} 3\n');
    expect(text).toContain('sync_seconds_count 6\n');
    ours.reset();
    stock.reset();
    expect(await oursRegistry.metrics()).toBe(await stockRegistry.metrics());
  });
});
