import { describe, expect, it } from 'vitest';
import { contextPaths } from './contexts.js';
import { flatten, formatConfig, parseConfig, unflatten } from './formats.js';

describe('config formats', () => {
  const flat = { 'db.url': 'postgres://x', 'db.pool.max': '10', 'feature.enabled': 'true', greeting: 'hello world' };

  it.each(['json', 'yaml', 'properties', 'env'] as const)('%s round-trips', (format) => {
    expect(parseConfig(formatConfig(flat, format), format)).toEqual(flat);
  });

  it('flattens and unflattens', () => {
    expect(flatten({ a: { b: 1, c: [true, 'x'] }, d: null })).toEqual({ 'a.b': '1', 'a.c.0': 'true', 'a.c.1': 'x', d: '' });
    expect(unflatten({ 'a.b': '1', 'a.c': '2', e: '3' })).toEqual({ a: { b: '1', c: '2' }, e: '3' });
  });

  it('reads properties and .env details', () => {
    expect(parseConfig('# comment\n! also\nkey = value with spaces\nother:x\n', 'properties')).toEqual({ key: 'value with spaces', other: 'x' });
    expect(parseConfig('export A=1\nB="two words"\n# c\n', 'env')).toEqual({ A: '1', B: 'two words' });
    expect(() => parseConfig('nonsense', 'properties')).toThrow(/line 1: expected key=value/);
  });
});

describe('Spring Cloud Zookeeper contexts', () => {
  it('lists them most specific first', () => {
    expect(contextPaths('orders', ['dev', 'eu'])).toEqual(['/config/orders,eu', '/config/orders,dev', '/config/orders', '/config/application,eu', '/config/application,dev', '/config/application']);
    expect(contextPaths('orders', [], { root: '/cfg', defaultContext: 'shared', separator: '::' })).toEqual(['/cfg/orders', '/cfg/shared']);
  });
});
