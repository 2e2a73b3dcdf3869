import { afterAll, describe, expect, it } from 'vitest';
import { fourLetterWord, requireZooKeeper, runZkCli, startZooKeeper, type ZooKeeperEnsemble } from '../src/index.js';

const started: ZooKeeperEnsemble[] = [];
afterAll(async () => {
  for (const zk of started) await zk.stop();
});

describe.runIf(requireZooKeeper('tools/zookeeper harness'))('real Apache ZooKeeper harness', () => {
  it('starts a standalone server on loopback that serves', async () => {
    const zk = await startZooKeeper();
    started.push(zk);
    expect(zk.connectionString).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(await (await zk.leader()).mode()).toBe('standalone');
    expect(await fourLetterWord(zk.nodes[0].clientPort, 'ruok')).toBe('imok');
    const cli = await runZkCli(zk.connectionString, ['ls', '/']);
    expect(cli.output).toContain('[zookeeper]');
  }, 60_000);

  it('starts a 3-node ensemble that elects a new leader when the leader dies', async () => {
    const zk = await startZooKeeper({ nodes: 3 });
    started.push(zk);
    const modes = (await Promise.all(zk.nodes.map((n) => n.mode()))).sort();
    expect(modes).toEqual(['follower', 'follower', 'leader']);
    const leader = await zk.leader();
    await leader.kill();
    const deadline = Date.now() + 20_000;
    let next = '';
    while (Date.now() < deadline) {
      const others = zk.nodes.filter((n) => n !== leader);
      const m = await Promise.all(others.map((n) => n.mode()));
      if (m.includes('leader')) {
        next = 'leader';
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(next).toBe('leader');
  }, 90_000);
});
