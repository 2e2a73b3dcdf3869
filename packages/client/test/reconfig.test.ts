import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireZooKeeper, startZooKeeper, until, type ZooKeeperEnsemble } from '@zoo/zookeeper';
import { ExponentialBackoffRetry, isDisconnection, retry, ZooClient, ZooErrorCode, type EnsembleConfig } from '../src/index.js';

/**
 * Dynamic reconfiguration against a real 3-node ZooKeeper (reconfigEnabled; skipACL stands in
 * for the super user reconfig needs): getConfig, incremental reconfig, a conditional one, and
 * the ensemble tracker moving the client's host list to what the config says.
 */
describe.runIf(requireZooKeeper('client reconfig against a 3-node ensemble'))('getConfig / reconfig against a 3-node Apache ZooKeeper ensemble', () => {
  let zk: ZooKeeperEnsemble;
  const clients: ZooClient[] = [];
  beforeAll(async () => {
    zk = await startZooKeeper({ nodes: 3, tickTime: 500, extraConfig: { reconfigEnabled: 'true', skipACL: 'yes' } });
  }, 90_000);
  afterAll(async () => {
    for (const c of clients) await c.close();
    await zk?.stop();
  });

  it('reads the config, gives the members client addresses, drops one, and the tracker follows', async () => {
    const first = zk.nodes[0];
    // the tracker starts from one host and learns the others from the config
    const client = await ZooClient.connect(`127.0.0.1:${first.clientPort}/chrooted`, { sessionTimeout: 8000, ensembleTracker: true });
    clients.push(client);
    const sessionId = client.sessionId;
    const hostsSeen: string[] = [];
    client.on('hosts', (hosts) => hostsSeen.push(hosts));

    // a server whose client address a reconfig changes drops its clients as it applies it:
    // then the reply is lost and the outcome is read back, as an application would
    const settled = async (reconfig: Promise<EnsembleConfig>): Promise<EnsembleConfig> => {
      try {
        return await reconfig;
      } catch (err) {
        if (!isDisconnection(err)) throw err;
        return read();
      }
    };
    const read = () => retry(() => client.getConfig(), new ExponentialBackoffRetry(100, 10));

    const before = await client.getConfig();
    expect(before.members.map((m) => m.id)).toEqual([1, 2, 3]);
    expect(before.version).toBeGreaterThan(0n);

    // every member gets its client address: an incremental reconfig of the same ids
    const port = (id: number) => zk.nodes[id - 1].clientPort;
    const joining = before.members.map((m) => `server.${m.id}=${m.host}:${m.quorumPort}:${m.electionPort}:participant;127.0.0.1:${port(m.id)}`);
    const after = await settled(client.reconfig({ joining, fromConfig: before.version }));
    expect(after.version).toBeGreaterThan(before.version);
    expect(after.members.map((m) => m.client)).toEqual([1, 2, 3].map((id) => ({ host: '127.0.0.1', port: port(id) })));
    expect((await read()).text).toBe(after.text);
    await until(() => client.connection.hosts.length === 3, 15_000, 'the tracker to take the three members');
    expect(client.connection.hosts.map((h) => h.port).sort()).toEqual([1, 2, 3].map(port).sort());
    expect(client.chroot).toBe('/chrooted');

    // a reconfig against an old version is refused; bad arguments never reach the server
    await expect(retry(() => client.reconfig({ leaving: 3, fromConfig: before.version }), new ExponentialBackoffRetry(100, 10))).rejects.toMatchObject({ code: ZooErrorCode.BADVERSION });
    await expect(client.reconfig({ joining: joining[0], members: joining })).rejects.toMatchObject({ code: ZooErrorCode.BADARGUMENTS });
    await expect(client.reconfig({})).rejects.toMatchObject({ code: ZooErrorCode.BADARGUMENTS });

    const smaller = await settled(client.reconfig({ leaving: 3 }));
    expect(smaller.members.map((m) => m.id)).toEqual([1, 2]);
    await until(() => client.connection.hosts.length === 2, 15_000, 'the tracker to drop member 3');
    expect(client.connection.hosts.map((h) => h.port).sort()).toEqual([port(1), port(2)].sort());
    expect(hostsSeen).toHaveLength(2);
    // servers may drop their clients around a reconfig: the session carries on
    await until(() => client.state === 'connected', 15_000, 'connected');
    expect(client.sessionId).toBe(sessionId);
    const now = await read();
    expect(now.members.map((m) => m.id)).toEqual([1, 2]);
  }, 60_000);
});
