import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OpCode, OPEN_ACL_UNSAFE } from '@zoo/core';
import { ZooServer } from '../src/index.js';
import { RawClient } from './raw-client.js';

/**
 * The names and types ZooKeeper 3.8's PrometheusMetricsProvider (simpleclient 0.9) exposes for
 * the metrics that apply to a single server: the gauges ZooKeeperServer.registerMetrics()
 * registers, counters and summaries of ServerMetrics. Debian ships no build of that provider,
 * so this list (read from ZooKeeper 3.8.4's sources) stands in for a scrape of the real one.
 */
const ZOOKEEPER_3_8: Record<string, 'gauge' | 'counter' | 'summary'> = {
  avg_latency: 'gauge',
  max_latency: 'gauge',
  min_latency: 'gauge',
  packets_received: 'gauge',
  packets_sent: 'gauge',
  num_alive_connections: 'gauge',
  outstanding_requests: 'gauge',
  uptime: 'gauge',
  znode_count: 'gauge',
  watch_count: 'gauge',
  ephemerals_count: 'gauge',
  approximate_data_size: 'gauge',
  global_sessions: 'gauge',
  local_sessions: 'gauge',
  open_file_descriptor_count: 'gauge',
  max_file_descriptor_count: 'gauge',
  bytes_received_count: 'counter',
  connection_rejected: 'counter',
  sessionless_connections_expired: 'counter',
  readlatency: 'summary',
  updatelatency: 'summary',
  fsynctime: 'summary',
};

const servers: ZooServer[] = [];
const clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  for (const s of servers.splice(0)) await s.close();
});

function parse(exposition: string): { types: Map<string, string>; samples: Map<string, number> } {
  const types = new Map<string, string>();
  const samples = new Map<string, number>();
  for (const line of exposition.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1], type[2]);
    else if (line && !line.startsWith('#')) {
      const at = line.lastIndexOf(' ');
      samples.set(line.slice(0, at), Number(line.slice(at + 1)));
    }
  }
  return { types, samples };
}

describe("metrics under ZooKeeper's Prometheus names", () => {
  it('exposes every applicable ZooKeeper 3.8 metric with its type; gauges equal mntr; latency summaries count reads and updates apart', async () => {
    const s = await ZooServer.start({ port: 0, adminPort: 0 });
    servers.push(s);
    const base = `http://127.0.0.1:${s.adminPort}`;
    const before = parse(await (await fetch(`${base}/metrics`)).text());
    const c = await RawClient.open(s.port);
    clients.push(c);
    const acl = [...OPEN_ACL_UNSAFE];
    await c.send({ op: OpCode.create, path: '/m', data: Buffer.from('x'), acl, flags: 0 });
    await c.send({ op: OpCode.create, path: '/m/e', data: null, acl, flags: 1 });
    await c.send({ op: OpCode.setData, path: '/m', data: Buffer.from('yy'), version: -1 });
    for (let i = 0; i < 5; i++) await c.send({ op: OpCode.getData, path: '/m', watch: i === 0 });

    const { types, samples } = parse(await (await fetch(`${base}/metrics`)).text());
    for (const [name, type] of Object.entries(ZOOKEEPER_3_8)) expect({ name, type: types.get(name) }).toEqual({ name, type });

    const monitor = (await (await fetch(`${base}/commands/monitor`)).json()) as Record<string, number>;
    for (const name of ['znode_count', 'watch_count', 'ephemerals_count', 'approximate_data_size', 'global_sessions', 'num_alive_connections', 'outstanding_requests']) {
      expect({ name, value: samples.get(name) }).toEqual({ name, value: monitor[name] });
    }
    expect(samples.get('ephemerals_count')).toBe(1);
    expect(samples.get('watch_count')).toBe(1);
    expect(samples.get('bytes_received_count')).toBeGreaterThan(0);

    // three updates and five reads since the first scrape (the scrape itself is not a request)
    const delta = (name: string) => (samples.get(name) ?? 0) - (before.samples.get(name) ?? 0);
    expect(delta('updatelatency_count')).toBe(3);
    expect(delta('readlatency_count')).toBe(5);
    for (const q of ['0.5', '0.9', '0.99']) expect(samples.get(`readlatency{quantile="${q}"}`)).toBeGreaterThanOrEqual(0);
    expect(samples.get('readlatency_sum')).toBeGreaterThan(0);
    // fsynctime is BASIC detail in ZooKeeper: the median only
    expect([...samples.keys()].filter((k) => k.startsWith('fsynctime{'))).toEqual(['fsynctime{quantile="0.5"}']);
  });

  it('counts fsyncs in fsynctime on a durable server', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'zoo-metrics-'));
    try {
      const s = await ZooServer.start({ port: 0, adminPort: 0, dataDir });
      servers.push(s);
      const c = await RawClient.open(s.port);
      clients.push(c);
      for (let i = 0; i < 3; i++) await c.send({ op: OpCode.create, path: `/f${i}`, data: null, acl: [...OPEN_ACL_UNSAFE], flags: 0 });
      const { samples } = parse(await (await fetch(`http://127.0.0.1:${s.adminPort}/metrics`)).text());
      expect(samples.get('fsynctime_count')).toBeGreaterThanOrEqual(3);
      expect(samples.get('fsynctime_count')).toBe(samples.get('zoo_fsync_seconds_count'));
    } finally {
      for (const c of clients.splice(0)) await c.close();
      for (const s of servers.splice(0)) await s.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
