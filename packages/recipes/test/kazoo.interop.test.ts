import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooSession } from '@zoo/client';
import { ZooServer } from '@zoo/server';
import { requireKazoo, requireZooKeeper, runKazoo, sideBySide, until } from '@zoo/zookeeper';
import { Party, ShallowParty } from '../src/index.js';

const SCRIPT = fileURLToPath(new URL('./fixtures/kazoo_party.py', import.meta.url));

/** kazoo's Party and ShallowParty and Zoo's share one party, on ZooKeeper 3.8 and on ZooServer. */
describe.runIf(requireZooKeeper('kazoo party interop') && requireKazoo('kazoo party interop'))('kazoo Party / ShallowParty interop', () => {
  const servers = sideBySide(() => ZooServer.start({ port: 0 }));
  beforeAll(servers.start, 90_000);
  afterAll(servers.stop);

  for (const target of ['Apache ZooKeeper', 'ZooServer'] as const) {
    it(`Python and Node participants see each other (${target})`, async () => {
      const connection = target === 'ZooServer' ? servers.other().connectionString : servers.zk().connectionString;
      const tag = target === 'ZooServer' ? 'zoo' : 'zk';
      const [partyPath, shallowPath, marker] = [`/party-${tag}`, `/shallow-${tag}`, `/party-marker-${tag}`];
      const sessions = [new ZooSession(connection), new ZooSession(connection)];
      for (const s of sessions) await s.start();
      const parties = sessions.map((s, i) => new Party(s, partyPath, `node-${i}`));
      const shallows = sessions.map((s, i) => new ShallowParty(s, shallowPath, `nodeshallow-${i}`));
      for (const p of [...parties, ...shallows]) await p.join();
      const python = runKazoo(SCRIPT, [connection, partyPath, shallowPath, marker], { timeoutMs: 60_000 });
      await until(async () => (await parties[0].members()).includes('py') && (await shallows[0].members()).includes('pyshallow'), 20_000, 'the kazoo members');
      expect((await parties[0].members()).sort()).toEqual(['node-0', 'node-1', 'py']);
      expect(await shallows[1].size()).toBe(3);
      await sessions[0].client.create(marker);
      const run = await python;
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout.trim().split('\n').pop()!)).toEqual({ party: ['node-0', 'node-1', 'py'], shallow: ['nodeshallow-0', 'nodeshallow-1', 'pyshallow'], size: 3 });
      await until(async () => (await parties[1].members()).length === 2, 10_000, 'kazoo to leave');
      await parties[1].leave();
      expect(await parties[0].members()).toEqual(['node-0']);
      for (const p of [...parties, ...shallows]) await p.leave();
      for (const s of sessions) await s.close();
    }, 90_000);
  }
});
