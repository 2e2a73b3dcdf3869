import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooErrorCode } from '@zoo/core';
import { ZooServer } from '@zoo/server';
import { ZooClient, ZooSession } from '../src/index.js';
import { until } from '@zoo/zookeeper';
import { TcpProxy } from './tcp-proxy.js';

describe('ZooSession', () => {
  let server: ZooServer;
  const sessions = () => server.state.stats().sessionCount;

  beforeAll(async () => {
    server = await ZooServer.start({ port: 0, tickTime: 500, minSessionTimeout: 1000 });
  });
  afterAll(async () => {
    await server.close();
  });

  /** Ends `client`'s session from another connection; the client learns it at its reconnect. */
  async function endSessionOf(client: ZooClient): Promise<void> {
    const thief = new ZooClient(server.connectionString, { session: { id: client.sessionId, password: client.sessionPassword } });
    await thief.connect();
    await thief.close();
  }

  it('concurrent start() calls share one connection attempt and one client', async () => {
    const before = sessions();
    const s = new ZooSession(server.connectionString);
    const [a, b] = await Promise.all([s.start(), s.start()]);
    expect(a).toBe(b);
    expect(sessions()).toBe(before + 1);
    await s.close();
    expect(sessions()).toBe(before);
  });

  it('close() while start() is connecting: start rejects and the half-made client is closed, not adopted', async () => {
    const before = sessions();
    const s = new ZooSession(server.connectionString);
    const started = s.start();
    await s.close();
    await expect(started).rejects.toMatchObject({ code: ZooErrorCode.CONNECTIONLOSS });
    expect(s.started).toBe(false);
    await until(() => sessions() === before, 5000, 'the session to end');
  });

  it('detach() leaves a lent client open and makes no new one when it expires; without detach a new one is made', async () => {
    const lent = await ZooClient.connect(server.connectionString, { sessionTimeout: 1000 });
    const detached = ZooSession.from(lent, server.connectionString);
    const followedClient = await ZooClient.connect(server.connectionString, { sessionTimeout: 1000 });
    const followed = ZooSession.from(followedClient, server.connectionString, { sessionTimeout: 1000 });
    const renewed: ZooClient[] = [];
    detached.on('session', (c) => renewed.push(c));
    let followedRenewed: ZooClient | undefined;
    followed.on('session', (c) => (followedRenewed = c));

    detached.detach();
    expect(await lent.exists('/')).not.toBeNull(); // still the caller's, still usable

    await endSessionOf(lent);
    await endSessionOf(followedClient);
    await until(() => lent.state === 'expired' && followedRenewed !== undefined, 10_000, 'expiry and the followed session renewed');
    expect(followedRenewed).not.toBe(followedClient);
    await new Promise((r) => setTimeout(r, 500)); // as long again as the followed one took, and more
    expect(renewed).toEqual([]);
    expect(() => detached.client).not.toThrow();
    expect(detached.client).toBe(lent);
    await followed.close();
    await lent.close();
  });

  it('close() while it renews an expired session against an unreachable server ends the attempt instead of waiting it out', async () => {
    const proxy = await TcpProxy.start(server.port);
    // a renewal attempt that would wait a minute for a server
    const s = new ZooSession(`127.0.0.1:${proxy.port}`, { sessionTimeout: 1000, connectTimeout: 60_000 });
    const first = await s.start();
    const renewing = new Promise((resolve) => s.once('expired', resolve));
    const renewed: ZooClient[] = [];
    s.on('session', (c) => renewed.push(c));
    proxy.blackhole();
    proxy.drop();
    await renewing;
    await s.close(); // (without the abort this waits out the attempt: past the test's timeout)
    proxy.heal();
    await new Promise((r) => setTimeout(r, 300));
    expect(renewed).toEqual([]);
    expect(s.client).toBe(first);
    await proxy.close();
  }, 20_000);
});
