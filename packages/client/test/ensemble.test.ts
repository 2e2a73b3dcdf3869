import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireZooKeeper, startZooKeeper, type ZooKeeperEnsemble, type ZooKeeperNode, until } from '@zoo/zookeeper';
import { EventType, ExponentialBackoffRetry, retry, ZooClient, ZooError, ZooErrorCode, type WatchedEvent } from '../src/index.js';


/**
 * A real 3-node Apache ZooKeeper ensemble on loopback: the member the client is connected to
 * dies, then the leader does; the client moves on with the same session, its ephemeral and
 * its watch survive, and no acknowledged write is lost.
 */
describe.runIf(requireZooKeeper('client against a 3-node ensemble'))('ZooClient against a 3-node Apache ZooKeeper ensemble', () => {
  let zk: ZooKeeperEnsemble;
  let client: ZooClient;
  let writer: ZooClient;
  beforeAll(async () => {
    zk = await startZooKeeper({ nodes: 3, tickTime: 500 });
  }, 90_000);
  afterAll(async () => {
    await client?.close();
    await writer?.close();
    await zk?.stop();
  });

  it('fails over twice (connected member, then leader) keeping session, ephemerals, watches and acknowledged writes', async () => {
    client = await ZooClient.connect(zk.connectionString, { sessionTimeout: 8000 });
    writer = await ZooClient.connect(zk.connectionString, { sessionTimeout: 8000 });
    const sessionId = client.sessionId;
    await client.create('/failover');
    await client.create('/failover/eph', 'mine', { mode: 'ephemeral' });
    const events: WatchedEvent[] = [];
    await client.getData('/failover/eph', { watch: (e) => events.push(e) });

    // a steady write load whose acknowledged writes are recorded
    const acked: string[] = [];
    let stop = false;
    let seq = 0;
    const load = (async () => {
      while (!stop) {
        const path = `/failover/w${seq++}`;
        try {
          await writer.create(path);
          acked.push(path);
        } catch (err) {
          if (!(err instanceof ZooError)) throw err;
          if (err.code === ZooErrorCode.NODEEXISTS) acked.push(path); // an earlier attempt did land
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    })();

    const memberOf = (hostPort: string | undefined): ZooKeeperNode => zk.nodes.find((n) => `127.0.0.1:${n.clientPort}` === hostPort)!;
    const first = memberOf(client.connectedTo);
    await first.kill();
    await until(() => client.state === 'connected' && client.connectedTo !== `127.0.0.1:${first.clientPort}`, 30_000, 'reconnect after member kill');
    expect(client.sessionId).toBe(sessionId);
    expect((await client.getData('/failover/eph')).data?.toString()).toBe('mine');

    await first.start();
    const leader = await zk.leader();
    await leader.kill();
    await until(async () => {
      try {
        await client.sync('/');
        return client.state === 'connected';
      } catch {
        return false;
      }
    }, 30_000, 'service after leader kill');
    expect(client.sessionId).toBe(sessionId);
    expect((await client.exists('/failover/eph'))?.ephemeralOwner).toBe(sessionId);

    // the writer may itself be reconnecting after the leader's death: setData is idempotent here
    await retry(() => writer.setData('/failover/eph', 'changed'), new ExponentialBackoffRetry(100, 30, 1000));
    await until(() => events.length === 1, 10_000, 'watch event');
    expect(events[0]).toMatchObject({ type: EventType.NodeDataChanged, path: '/failover/eph' });

    stop = true;
    await load;
    expect(acked.length).toBeGreaterThan(0);
    await client.sync('/');
    const { children } = await client.getChildren('/failover');
    const present = new Set(children.map((c) => `/failover/${c}`));
    expect(acked.filter((p) => !present.has(p))).toEqual([]);
  }, 120_000);
});
