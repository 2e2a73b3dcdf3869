import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePrometheusText, quantileBetween } from '../src/prometheus-text.js';
import { readingFromMntr, readingFromPrometheus, readingFromSrvr } from '../src/server-reading.js';
import { fourLetterTarget, pointBetween } from '../src/metrics-collector.js';

describe('metrics readings', () => {
  it('parses Prometheus text, with escaped label values and the trailing comma Java clients write', () => {
    const s = parsePrometheusText('# HELP x y\n# TYPE x gauge\nx{a="1",b="q\\"uote",} 2.5\ny 3\nz{le="+Inf"} +Inf\n');
    expect(s).toEqual([
      { name: 'x', labels: { a: '1', b: 'q"uote' }, value: 2.5 },
      { name: 'y', labels: {}, value: 3 },
      { name: 'z', labels: { le: '+Inf' }, value: Infinity },
    ]);
  });

  it('interpolates a quantile inside the bucket between two scrapes, like histogram_quantile', () => {
    const before = new Map([[0.001, 5], [0.01, 5], [Infinity, 5]]);
    const after = new Map([[0.001, 15], [0.01, 25], [Infinity, 25]]);
    // 20 observations in between: 10 up to 1 ms, 10 between 1 and 10 ms
    expect(quantileBetween(before, after, 0.5)).toBeCloseTo(0.001, 9);
    expect(quantileBetween(before, after, 0.99)).toBeCloseTo(0.001 + 0.009 * (9.8 / 10), 9);
    expect(quantileBetween(after, after, 0.5)).toBeUndefined();
    // past the last finite bound: that bound
    expect(quantileBetween(undefined, new Map([[0.1, 0], [Infinity, 4]]), 0.5)).toBe(0.1);
  });

  it('reads ZooKeeper metric names (its Prometheus provider) when there are no zoo_* ones', () => {
    const text = [
      'znode_count 42.0',
      'watch_count 7.0',
      'num_alive_connections 3.0',
      'readlatency{quantile="0.5",} 1.0',
      'readlatency{quantile="0.99",} 4.0',
      'readlatency_count 100.0',
      'updatelatency{quantile="0.5",} 2.0',
      'updatelatency{quantile="0.99",} NaN',
      'updatelatency_count 10.0',
      'fsynctime_sum 30.0',
      'fsynctime_count 10.0',
    ].join('\n');
    const r = readingFromPrometheus(text, 1000);
    expect(r).toMatchObject({ source: 'prometheus', znodes: 42, watches: 7, connections: 3, requests: { read: 100, update: 10 }, fsync: { sumMs: 30, count: 10 } });
    expect(r.latencyQuantiles).toEqual({ 'read p50': 1, 'read p99': 4, 'update p50': 2 });
    const later = readingFromPrometheus(text.replace('readlatency_count 100.0', 'readlatency_count 300.0').replace('fsynctime_sum 30.0', 'fsynctime_sum 60.0').replace('fsynctime_count 10.0', 'fsynctime_count 20.0'), 3000);
    expect(pointBetween(r, later)).toMatchObject({ requestsPerSec: { read: 100, update: 0 }, fsyncMs: 3, znodes: 42 });
  });

  it('reads mntr (per-kind summaries) and srvr', () => {
    const mntr = readingFromMntr('zk_server_state\tleader\nzk_znode_count\t9\nzk_watch_count\t2\nzk_num_alive_connections\t4\nzk_cnt_readlatency\t50\nzk_p50_readlatency\t1\nzk_p99_readlatency\t3\nzk_cnt_updatelatency\t5\nzk_sum_fsynctime\t12\nzk_cnt_fsynctime\t4\n');
    expect(mntr).toMatchObject({ source: 'mntr', mode: 'leader', znodes: 9, watches: 2, connections: 4, requests: { read: 50, update: 5 }, latencyQuantiles: { 'read p50': 1, 'read p99': 3 }, fsync: { sumMs: 12, count: 4 } });
    // a server without the summaries: packets and the average latency
    expect(readingFromMntr('zk_packets_received\t70\nzk_avg_latency\t0.5\n')).toMatchObject({ requests: { all: 70 }, latencyQuantiles: { avg: 0.5 } });
    const srvr = readingFromSrvr('Zookeeper version: 3.8.0\nLatency min/avg/max: 0/1.5/9\nReceived: 120\nSent: 119\nConnections: 2\nOutstanding: 0\nZxid: 0x5\nMode: follower\nNode count: 11\n');
    expect(srvr).toMatchObject({ source: 'srvr', mode: 'follower', znodes: 11, connections: 2, requests: { all: 120 }, latencyQuantiles: { avg: 1.5 } });
    expect(srvr.watches).toBeUndefined();
  });

  describe('four-letter target', () => {
    let server: Server | undefined;
    afterEach(() => server?.close());
    const fake = async (answers: Record<string, string>) => {
      const asked: string[] = [];
      server = createServer((c) =>
        c.once('data', (d) => {
          asked.push(d.toString());
          c.end(answers[d.toString()] ?? '');
        }),
      );
      await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
      return { port: (server.address() as { port: number }).port, asked };
    };

    it('uses srvr from then on when the whitelist refuses mntr', async () => {
      const { port, asked } = await fake({ mntr: 'mntr is not executed because it is not in the whitelist.\n', srvr: 'Mode: standalone\nNode count: 4\nReceived: 3\n' });
      const target = fourLetterTarget('127.0.0.1', port);
      expect(await target.read()).toMatchObject({ source: 'srvr', znodes: 4 });
      expect(await target.read()).toMatchObject({ source: 'srvr' });
      expect(asked).toEqual(['mntr', 'srvr', 'srvr']);
    });

    it('treats a member without quorum as not serving (an error, not a switch to srvr)', async () => {
      const { port, asked } = await fake({ mntr: 'This ZooKeeper instance is not currently serving requests\n' });
      const target = fourLetterTarget('127.0.0.1', port);
      await expect(target.read()).rejects.toThrow(`127.0.0.1:${port} is not serving requests`);
      await expect(target.read()).rejects.toThrow(/not serving/);
      expect(asked).toEqual(['mntr', 'mntr']);
    });
  });
});
