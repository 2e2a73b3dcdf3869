import { createServer } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ZooErrorCode } from '@zoo/core';
import { ZooServer } from '@zoo/server';
import { until } from '@zoo/zookeeper';
import { zooRegistration, type ZooRegistration } from '../src/index.js';
import { TcpProxy } from '../../client/test/tcp-proxy.js';

describe('zooRegistration when the coordination service is unreachable', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
    vi.restoreAllMocks();
  });

  /** A registered HTTP server whose session goes through a proxy, then cut off. */
  async function cutOff(onError?: (err: Error) => void): Promise<ZooRegistration> {
    const zoo = await ZooServer.start({ port: 0 });
    cleanup.push(() => zoo.close());
    const proxy = await TcpProxy.start(zoo.port);
    cleanup.push(() => proxy.close());
    const registration = zooRegistration({ connectionString: `127.0.0.1:${proxy.port}`, service: { name: 'svc', id: 'a' }, handleSignals: false, onError });
    const http = registration.attach(createServer((_req, res) => res.end('ok')).listen(0, '127.0.0.1'));
    cleanup.push(() => new Promise((r) => http.close(() => r(undefined))));
    await registration.registered;
    proxy.blackhole();
    proxy.drop();
    await until(() => registration.session!.client.state === 'disconnected', 10_000, 'the client to see the cut');
    return registration;
  }

  it('stop() completes and hands what it could not unregister to onError', async () => {
    const errors: Error[] = [];
    const registration = await cutOff((err) => errors.push(err));
    await registration.stop();
    expect(errors.map((e) => (e as { code?: number }).code)).toEqual([ZooErrorCode.CONNECTIONLOSS]);
  }, 30_000);

  it('without onError, stop() still completes, with a warning naming the service', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const registration = await cutOff();
    await registration.stop();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/^zooRegistration \(svc\/a\): CONNECTIONLOSS/);
  }, 30_000);
});
