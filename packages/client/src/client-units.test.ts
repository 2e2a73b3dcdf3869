import { describe, expect, it } from 'vitest';
import { EventType } from '@zoo/core';
import { parseConnectionString, shuffle } from './connection-string.js';
import { parseEnsembleConfig } from './ensemble-config.js';
import { DigestMd5Client, parseDirectives } from './sasl-digest-md5.js';
import { ExponentialBackoffRetry, RetryNTimes, RetryUntilElapsed, isDisconnection, isRetryable } from './retry.js';
import { WatchRegistry } from './watch-registry.js';
import { ZooError, ZooErrorCode } from '@zoo/core';

describe('connection strings', () => {
  it('parses hosts, default ports, IPv6 and the chroot', () => {
    expect(parseConnectionString('a:1,b,[::1]:3/app/x')).toEqual({
      hosts: [
        { host: 'a', port: 1 },
        { host: 'b', port: 2181 },
        { host: '::1', port: 3 },
      ],
      chroot: '/app/x',
    });
    expect(parseConnectionString('127.0.0.1:2181/').chroot).toBe('');
  });

  it.each([[''], ['a:0'], ['a:99999'], ['a:b'], ['/only-chroot'], ['a:1/bad/']])('rejects %j', (text) => {
    expect(() => parseConnectionString(text)).toThrow();
  });

  it('shuffles with the given random source', () => {
    expect(shuffle([1, 2, 3, 4], () => 0)).toEqual([2, 3, 4, 1]);
    expect(shuffle([1, 2, 3], () => 0.999).sort()).toEqual([1, 2, 3]);
  });
});

describe('retry policies', () => {
  it('exponential backoff grows with jitter, caps, and stops', () => {
    const p = new ExponentialBackoffRetry(10, 3, 25, () => 0.99);
    expect([p.nextDelay(0), p.nextDelay(1), p.nextDelay(2), p.nextDelay(3)]).toEqual([20, 25, 25, null]);
    expect(new ExponentialBackoffRetry(10, 3, 1000, () => 0).nextDelay(2)).toBe(10);
  });

  it('N times and until elapsed', () => {
    expect([0, 1, 2].map((a) => new RetryNTimes(2, 5).nextDelay(a))).toEqual([5, 5, null]);
    const u = new RetryUntilElapsed(100, 30);
    expect([u.nextDelay(0, 0), u.nextDelay(5, 70), u.nextDelay(6, 71)]).toEqual([30, 30, null]);
  });

  it('retries only connection trouble', () => {
    expect(isRetryable(new ZooError(ZooErrorCode.CONNECTIONLOSS))).toBe(true);
    expect(isRetryable(new ZooError(ZooErrorCode.OPERATIONTIMEOUT))).toBe(true);
    expect(isRetryable(new ZooError(ZooErrorCode.NODEEXISTS))).toBe(false);
    expect(isRetryable(new ZooError(ZooErrorCode.SESSIONEXPIRED))).toBe(false);
    expect(isRetryable(new Error('x'))).toBe(false);
  });

  it('counts a lost connection or session as a disconnection, nothing else', () => {
    expect(isDisconnection(new ZooError(ZooErrorCode.CONNECTIONLOSS))).toBe(true);
    expect(isDisconnection(new ZooError(ZooErrorCode.SESSIONEXPIRED))).toBe(true);
    expect(isDisconnection(new ZooError(ZooErrorCode.NONODE))).toBe(false);
    expect(isDisconnection(new Error('connection lost'))).toBe(false);
  });
});

describe('client-side watch registry', () => {
  it('fans one notification out like the Java client', () => {
    const r = new WatchRegistry();
    const calls: string[] = [];
    const l = (name: string) => () => calls.push(name);
    const data = l('data');
    r.add(r.data, '/a', data);
    r.add(r.data, '/a', data); // same listener: one watch
    r.add(r.exist, '/a', l('exist'));
    r.add(r.child, '/a', l('child'));
    r.add(r.persistent, '/a', l('persistent'));
    r.add(r.recursive, '/', l('recursive'));
    for (const f of r.take(EventType.NodeDataChanged, '/a')) f({ type: EventType.NodeDataChanged, state: 3, path: '/a' });
    expect(calls.sort()).toEqual(['data', 'exist', 'persistent', 'recursive']);
    expect(r.data.has('/a')).toBe(false);
    expect([...r.take(EventType.NodeChildrenChanged, '/a')].length).toBe(2); // child + persistent, never recursive
    expect([...r.take(EventType.NodeChildrenChanged, '/a')].length).toBe(1); // the one-shot child watch is gone
    expect(r.drainAll().size).toBe(2);
    expect(r.isEmpty).toBe(true);
  });
});

describe('ensemble config', () => {
  it('reads members, roles, client addresses (the wildcard becomes the member host) and the hex version', () => {
    const text = ['server.2=10.0.0.2:2888:3888:observer;0.0.0.0:2182', 'server.1=10.0.0.1:2888:3888:participant;127.0.0.1:2181', 'server.3=[::1]:2888:3888', 'version=1a0000000f', 'other=ignored'].join('\n');
    const config = parseEnsembleConfig(text);
    expect(config.version).toBe(0x1a0000000fn);
    expect(config.members).toEqual([
      { id: 1, host: '10.0.0.1', quorumPort: 2888, electionPort: 3888, role: 'participant', client: { host: '127.0.0.1', port: 2181 } },
      { id: 2, host: '10.0.0.2', quorumPort: 2888, electionPort: 3888, role: 'observer', client: { host: '10.0.0.2', port: 2182 } },
      { id: 3, host: '::1', quorumPort: 2888, electionPort: 3888, role: 'participant' },
    ]);
    expect(config.connectionString).toBe('127.0.0.1:2181,10.0.0.2:2182');
    expect(parseEnsembleConfig('server.1=[::1]:1:2;[::1]:3').connectionString).toBe('[::1]:3');
  });

  it.each([['server.1=host:2888'], ['server.1=h:1:2;x:y'], ['version=xyz']])('rejects %j naming it', (line) => {
    expect(() => parseEnsembleConfig(line)).toThrow(/ensemble config/);
  });
});

describe('SASL DIGEST-MD5', () => {
  // RFC 2831 §4's example exchange
  const challenge = 'realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",qop="auth",algorithm=md5-sess,charset=utf-8';
  const client = () => new DigestMd5Client('chris', 'secret', { protocol: 'imap', serverName: 'elwood.innosoft.com', cnonce: 'OA6MHXh6VqTrRk' });

  it('answers the RFC 2831 example challenge with its response, and accepts its rspauth', () => {
    const c = client();
    expect(c.initial()).toEqual(Buffer.alloc(0));
    const response = parseDirectives(c.evaluate(Buffer.from(challenge))!.toString());
    expect(Object.fromEntries(response)).toMatchObject({ username: 'chris', realm: 'elwood.innosoft.com', nonce: 'OA6MG9tEQGm2hh', cnonce: 'OA6MHXh6VqTrRk', nc: '00000001', qop: 'auth', 'digest-uri': 'imap/elwood.innosoft.com', response: 'd388dad90d4bbd760a152321f2143af7' });
    expect(c.complete).toBe(false);
    expect(c.evaluate(Buffer.from('rspauth=ea40f60335c427b5527b84dbabcdfffd'))).toBeNull();
    expect(c.complete).toBe(true);
  });

  it('refuses a server that does not know the password, and challenges it cannot answer', () => {
    const c = client();
    c.evaluate(Buffer.from(challenge));
    expect(() => c.evaluate(Buffer.from('rspauth=00000000000000000000000000000000'))).toThrow(/rspauth mismatch/);
    expect(() => client().evaluate(Buffer.from('realm="r",qop="auth-conf",algorithm=md5-sess,nonce="n"'))).toThrow(/only auth/);
    expect(() => client().evaluate(Buffer.from('realm="r",qop="auth"'))).toThrow(/no nonce/);
  });

  it('reads quoted, escaped and repeated directives', () => {
    expect(Object.fromEntries(parseDirectives('a="x,\\"y\\"", b=2,realm="one",realm="two"'))).toEqual({ a: 'x,"y"', b: '2', realm: 'one,two' });
  });
});
