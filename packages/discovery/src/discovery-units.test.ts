import { describe, expect, it } from 'vitest';
import { FakeClock } from '@zoo/core';
import { DownInstancePolicy } from './down-instance-policy.js';
import { fromCuratorJson, makeInstance, toCuratorJson, type ServiceInstance } from './service-instance.js';
import { FailoverError, NoInstanceError, ServiceProvider } from './service-provider.js';
import { SPRING_CLOUD_ZOOKEEPER_INSTANCE, springCloudZookeeper } from './spring-cloud.js';
import { LeastOutstandingStrategy } from './strategies/least-outstanding.js';
import { RandomStrategy } from './strategies/random.js';
import { RoundRobinStrategy } from './strategies/round-robin.js';
import { StickyStrategy } from './strategies/sticky.js';
import { WeightedStrategy } from './strategies/weighted.js';
import { ZonePreferringStrategy } from './strategies/zone-preferring.js';

/** A seeded PRNG (mulberry32) so strategy tests are deterministic. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const inst = (id: string, payload: ServiceInstance['payload'] = null): ServiceInstance => makeInstance({ name: 'svc', id, address: '10.0.0.1', port: 8000, payload: payload ?? undefined }, 1000);
const a = inst('a', { weight: 1, zone: 'eu', tags: ['blue'], metadata: { v: '1' } });
const b = inst('b', { weight: 3, zone: 'us', tags: ['green'], metadata: { v: '2' } });
const c = inst('c', { weight: 0, zone: 'us' });
const counts = (picks: Array<ServiceInstance | undefined>) => picks.reduce<Record<string, number>>((m, p) => ((m[p?.id ?? '-'] = (m[p?.id ?? '-'] ?? 0) + 1), m), {});

describe('Curator-compatible instance JSON', () => {
  it('writes Curator’s field order, upper-case serviceType and a typed LinkedHashMap payload', () => {
    const json = JSON.parse(toCuratorJson(a).toString());
    expect(Object.keys(json)).toEqual(['name', 'id', 'address', 'port', 'sslPort', 'payload', 'registrationTimeUTC', 'serviceType', 'uriSpec', 'enabled']);
    expect(Object.keys(json.payload)[0]).toBe('@class');
    expect(json.payload['@class']).toBe('java.util.LinkedHashMap');
    expect(json.serviceType).toBe('DYNAMIC');
  });

  it('reads Curator and Spring Cloud documents, and rejects garbage with the path in the message', () => {
    const curator = Buffer.from('{"name":"orders","id":"1","address":"10.1.1.1","port":9000,"sslPort":null,"payload":{"@class":"org.springframework.cloud.zookeeper.discovery.ZookeeperInstance","id":"orders","name":"orders","metadata":{"instance_status":"UP"}},"registrationTimeUTC":1700000000000,"serviceType":"DYNAMIC","uriSpec":{"parts":[{"value":"scheme","variable":true}]}}');
    const parsed = fromCuratorJson(curator, '/services/orders/1');
    expect(parsed).toMatchObject({ name: 'orders', id: '1', port: 9000, enabled: true, payload: { metadata: { instance_status: 'UP' } } });
    expect(parsed.sslPort).toBeUndefined();
    expect(fromCuratorJson(toCuratorJson(b), 'x')).toEqual(b);
    expect(() => fromCuratorJson(Buffer.from('nope'), '/services/x/1')).toThrow(/\/services\/x\/1: not JSON/);
    expect(() => fromCuratorJson(Buffer.from('{"port":1}'), '/p')).toThrow(/name and id are required/);
  });

  it('types a Spring Cloud Zookeeper payload with its class and keeps the class through a read', () => {
    const spring = makeInstance({ name: 'orders', address: '10.0.0.1', port: 80, ...springCloudZookeeper({ name: 'orders', metadata: { zone: 'eu' } }) });
    const json = JSON.parse(toCuratorJson(spring).toString());
    expect(json.payload).toEqual({ '@class': SPRING_CLOUD_ZOOKEEPER_INSTANCE, id: 'orders', name: 'orders', metadata: { instance_status: 'UP', zone: 'eu' } });
    expect(json.uriSpec.parts.map((p: { value: string }) => p.value).join('')).toBe('scheme://address:port');
    expect(fromCuratorJson(toCuratorJson(spring), 'x')).toEqual(spring);
    expect(() => springCloudZookeeper({ name: 'x', metadata: { n: 1 as unknown as string } })).toThrow(/metadata must be strings: "n" is number/);
  });
});

describe('strategies', () => {
  it('round-robin cycles', () => {
    const s = new RoundRobinStrategy();
    expect([1, 2, 3, 4].map(() => s.pick([a, b, c])?.id)).toEqual(['a', 'b', 'c', 'a']);
    expect(s.pick([])).toBeUndefined();
  });

  it('random spreads evenly (seeded)', () => {
    const s = new RandomStrategy(seeded(1));
    const n = counts(Array.from({ length: 3000 }, () => s.pick([a, b, c])));
    for (const id of ['a', 'b', 'c']) expect(n[id]).toBeGreaterThan(900);
  });

  it('weighted follows payload weights and never picks weight 0', () => {
    const s = new WeightedStrategy(seeded(2));
    const n = counts(Array.from({ length: 4000 }, () => s.pick([a, b, c])));
    expect(n.c).toBeUndefined();
    expect(n.b / n.a).toBeGreaterThan(2.5);
    expect(n.b / n.a).toBeLessThan(3.5);
  });

  it('sticky keeps its instance until it disappears', () => {
    const s = new StickyStrategy(new RoundRobinStrategy());
    expect([s.pick([a, b]), s.pick([a, b]), s.pick([b, a])].map((i) => i?.id)).toEqual(['a', 'a', 'a']);
    const next = s.pick([b, c])?.id;
    expect(['b', 'c']).toContain(next);
    expect(s.pick([a, b, c])?.id).toBe(next);
  });

  it('least-outstanding prefers the idle instance', () => {
    const s = new LeastOutstandingStrategy();
    s.started(a);
    s.started(a);
    s.started(b);
    expect(s.pick([a, b, c])?.id).toBe('c');
    s.started(c);
    s.started(c);
    expect(s.pick([a, b, c])?.id).toBe('b');
    s.finished(a);
    s.finished(a);
    expect(s.pick([a, b, c])?.id).toBe('a');
  });

  it('zone-preferring keeps to the zone while it has instances', () => {
    const s = new ZonePreferringStrategy('us', new RoundRobinStrategy());
    expect([s.pick([a, b, c]), s.pick([a, b, c]), s.pick([a, b, c])].map((i) => i?.id)).toEqual(['b', 'c', 'b']);
    expect(s.pick([a])?.id).toBe('a');
  });
});

describe('DownInstancePolicy', () => {
  it('takes an instance out after N errors for T ms (fake clock)', () => {
    const clock = new FakeClock();
    const p = new DownInstancePolicy(2, 1000, clock);
    p.noteError('a');
    expect(p.isDown('a')).toBe(false);
    p.noteError('a');
    expect(p.isDown('a')).toBe(true);
    clock.advance(999);
    expect(p.isDown('a')).toBe(true);
    clock.advance(1);
    expect(p.isDown('a')).toBe(false);
    p.noteError('b');
    p.noteSuccess('b');
    p.noteError('b');
    expect(p.isDown('b')).toBe(false);
  });
});

describe('ServiceProvider', () => {
  it('filters by tags and metadata', () => {
    expect(new ServiceProvider('svc', () => [a, b, c], { tags: ['green'] }).instances().map((i) => i.id)).toEqual(['b']);
    expect(new ServiceProvider('svc', () => [a, b, c], { metadata: { v: '1' } }).instances().map((i) => i.id)).toEqual(['a']);
    expect(new ServiceProvider('svc', () => [a, { ...b, enabled: false }]).instances().map((i) => i.id)).toEqual(['a']);
  });

  it('fails over to the next instance and reports every attempt', async () => {
    const p = new ServiceProvider('svc', () => [a, b, c]);
    const seen: string[] = [];
    const result = await p.call(async (i) => {
      seen.push(i.id);
      if (i.id !== 'c') throw new Error(`boom ${i.id}`);
      return 'ok';
    });
    expect(result).toBe('ok');
    expect(seen.at(-1)).toBe('c');
    expect(new Set(seen).size).toBe(seen.length); // never the same instance twice in one call
    const err = await new ServiceProvider('svc', () => [a, b, c]).call(async (i) => Promise.reject(new Error(`down ${i.id}`)), { maxAttempts: 2 }).catch((e) => e);
    expect(err).toBeInstanceOf(FailoverError);
    const tried = err.attempts.map((x: { instance: ServiceInstance }) => x.instance.id);
    expect(tried).toHaveLength(2);
    expect(new Set(tried).size).toBe(2);
    expect(err.cause.message).toBe(`down ${tried[1]}`);
    expect(err.message).toMatch(new RegExp(`all 2 attempt\\(s\\) on service "svc" failed; last: down ${tried[1]}`));
    await expect(new ServiceProvider('svc', () => []).call(async () => 1)).rejects.toBeInstanceOf(NoInstanceError);
  });

  it('honours an abort signal and a timeout', async () => {
    const p = new ServiceProvider('svc', () => [a, b]);
    const ctrl = new AbortController();
    ctrl.abort(new Error('stop'));
    await expect(p.call(async () => 1, { signal: ctrl.signal })).rejects.toThrow('stop');
    const slow = p.call((_i, signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))), { timeoutMs: 30 });
    await expect(slow).rejects.toBeInstanceOf(FailoverError);
  });

  it('skips instances the down policy has taken out', async () => {
    const clock = new FakeClock();
    const p = new ServiceProvider('svc', () => [a, b], { downInstancePolicy: new DownInstancePolicy(1, 5000, clock) });
    await p.call(async (i) => {
      if (i.id === 'a') throw new Error('a is broken');
      return i.id;
    });
    expect(p.instances().map((i) => i.id)).toEqual(['b']);
    clock.advance(5000);
    expect(p.instances().map((i) => i.id)).toEqual(['a', 'b']);
  });
});
