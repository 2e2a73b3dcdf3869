import { describe, expect, it } from 'vitest';
import { CreateMode, OpCode, OPEN_ACL_UNSAFE, Perms, generateDigest, type Request, type Response, type Stat } from '@zoo/core';
import { requireZooKeeper } from '@zoo/zookeeper';
import { RawClient } from './raw-client.js';
import { sideBySide } from './side-by-side.js';

/**
 * One scenario, run against a real Apache ZooKeeper 3.8 and against ZooServer over the wire:
 * every reply's error code, body and Stat must match, except times, zxids and session ids.
 */
const acl = [...OPEN_ACL_UNSAFE];
const aliceAcl = [{ perms: Perms.ALL, id: { scheme: 'digest', id: generateDigest('alice:pw') } }];

type Step = { as: 'a' | 'b'; req: Request };
const steps: Step[] = [
  { as: 'a', req: { op: OpCode.create2, path: '/d', data: Buffer.from('root'), acl, flags: 0 } },
  { as: 'a', req: { op: OpCode.create2, path: '/d', data: null, acl, flags: 0 } },
  { as: 'a', req: { op: OpCode.create2, path: '/d/missing/x', data: null, acl, flags: 0 } },
  { as: 'a', req: { op: OpCode.create2, path: '/d/', data: null, acl, flags: 0 } },
  { as: 'a', req: { op: OpCode.create2, path: '/d/q-', data: null, acl, flags: CreateMode.PERSISTENT_SEQUENTIAL } },
  { as: 'a', req: { op: OpCode.create2, path: '/d/q-', data: Buffer.alloc(0), acl, flags: CreateMode.PERSISTENT_SEQUENTIAL } },
  { as: 'a', req: { op: OpCode.create, path: '/d/', data: null, acl, flags: CreateMode.PERSISTENT_SEQUENTIAL } },
  { as: 'a', req: { op: OpCode.delete, path: '/d/q-0000000000', version: -1 } },
  { as: 'a', req: { op: OpCode.getChildren2, path: '/d', watch: false } },
  { as: 'a', req: { op: OpCode.create2, path: '/d/eph', data: null, acl, flags: CreateMode.EPHEMERAL } },
  { as: 'a', req: { op: OpCode.create2, path: '/d/eph/kid', data: null, acl, flags: 0 } },
  { as: 'a', req: { op: OpCode.create2, path: '/d/bad', data: null, acl: [], flags: 0 } },
  { as: 'a', req: { op: OpCode.create2, path: '/d/bad', data: null, acl: [{ perms: 31, id: { scheme: 'world', id: 'nobody' } }], flags: 0 } },
  { as: 'a', req: { op: OpCode.create2, path: '/d/bad', data: null, acl: [{ perms: 31, id: { scheme: 'auth', id: '' } }], flags: 0 } },
  { as: 'a', req: { op: OpCode.create2, path: '/d/bad', data: null, acl, flags: 9 } },
  { as: 'a', req: { op: OpCode.createContainer, path: '/d/box', data: null, acl, flags: CreateMode.CONTAINER } },
  { as: 'a', req: { op: OpCode.createTTL, path: '/d/ttl', data: null, acl, flags: CreateMode.PERSISTENT_WITH_TTL, ttl: 100000n } },
  { as: 'a', req: { op: OpCode.createTTL, path: '/d/ttl2', data: null, acl, flags: CreateMode.PERSISTENT_WITH_TTL, ttl: 0n } },
  { as: 'a', req: { op: OpCode.createTTL, path: '/d/ttl3', data: null, acl, flags: CreateMode.PERSISTENT, ttl: 100n } },
  { as: 'a', req: { op: OpCode.exists, path: '/d/box', watch: false } },
  { as: 'a', req: { op: OpCode.exists, path: '/d/ttl', watch: false } },
  { as: 'a', req: { op: OpCode.setData, path: '/d', data: Buffer.from('v1'), version: 0 } },
  { as: 'a', req: { op: OpCode.setData, path: '/d', data: Buffer.from('v2'), version: 0 } },
  { as: 'a', req: { op: OpCode.setData, path: '/nope', data: null, version: -1 } },
  { as: 'a', req: { op: OpCode.setData, path: 'bad', data: null, version: -1 } },
  { as: 'a', req: { op: OpCode.getData, path: '/d', watch: false } },
  { as: 'a', req: { op: OpCode.getData, path: '/nope', watch: false } },
  { as: 'a', req: { op: OpCode.exists, path: '/nope', watch: false } },
  { as: 'a', req: { op: OpCode.delete, path: '/d', version: -1 } },
  { as: 'a', req: { op: OpCode.delete, path: '/d/q-0000000001', version: 7 } },
  { as: 'a', req: { op: OpCode.delete, path: '/zookeeper', version: -1 } },
  { as: 'a', req: { op: OpCode.delete, path: '/zookeeper/config', version: -1 } },
  { as: 'a', req: { op: OpCode.getACL, path: '/zookeeper/config' } },
  { as: 'a', req: { op: OpCode.exists, path: '/zookeeper', watch: false } },
  { as: 'a', req: { op: OpCode.exists, path: '/', watch: false } },
  { as: 'a', req: { op: OpCode.setACL, path: '/d', acl, version: 0 } },
  { as: 'a', req: { op: OpCode.setACL, path: '/d', acl, version: 0 } },
  { as: 'a', req: { op: OpCode.auth, type: 0, scheme: 'digest', auth: Buffer.from('alice:pw') } },
  { as: 'a', req: { op: OpCode.create2, path: '/d/alice', data: Buffer.from('s'), acl: aliceAcl, flags: 0 } },
  { as: 'a', req: { op: OpCode.create2, path: '/d/mine', data: null, acl: [{ perms: 31, id: { scheme: 'auth', id: '' } }], flags: 0 } },
  { as: 'a', req: { op: OpCode.getACL, path: '/d/mine' } },
  { as: 'b', req: { op: OpCode.getData, path: '/d/alice', watch: false } },
  { as: 'b', req: { op: OpCode.setData, path: '/d/alice', data: null, version: 99 } },
  { as: 'b', req: { op: OpCode.getACL, path: '/d/alice' } },
  { as: 'b', req: { op: OpCode.create2, path: '/d/alice/x', data: null, acl, flags: 0 } },
  { as: 'a', req: { op: OpCode.getACL, path: '/d/alice' } },
  {
    as: 'a',
    req: {
      op: OpCode.multi,
      ops: [
        { op: OpCode.create, path: '/d/m1', data: null, acl, flags: 0 },
        { op: OpCode.create2, path: '/d/m1/s-', data: null, acl, flags: CreateMode.PERSISTENT_SEQUENTIAL },
        { op: OpCode.check, path: '/d', version: 1 },
        { op: OpCode.setData, path: '/d/m1', data: Buffer.from('x'), version: 0 },
        { op: OpCode.createContainer, path: '/d/m1/c', data: null, acl, flags: CreateMode.CONTAINER },
        { op: OpCode.createTTL, path: '/d/m1/t', data: null, acl, flags: CreateMode.PERSISTENT_WITH_TTL, ttl: 5000n },
        { op: OpCode.delete, path: '/d/m1/t', version: -1 },
      ],
    },
  },
  {
    as: 'a',
    req: {
      op: OpCode.multi,
      ops: [
        { op: OpCode.create, path: '/d/m2', data: null, acl, flags: 0 },
        { op: OpCode.delete, path: '/d/nonexistent', version: -1 },
        { op: OpCode.setData, path: '/d', data: null, version: -1 },
      ],
    },
  },
  { as: 'a', req: { op: OpCode.exists, path: '/d/m2', watch: false } },
  { as: 'a', req: { op: OpCode.multi, ops: [] } },
  { as: 'a', req: { op: OpCode.multiRead, ops: [{ op: OpCode.getData, path: '/d', watch: false }, { op: OpCode.getChildren, path: '/nope', watch: false }, { op: OpCode.getData, path: '/d/alice', watch: false }] } },
  { as: 'b', req: { op: OpCode.multiRead, ops: [{ op: OpCode.getData, path: '/d/alice', watch: false }] } },
  { as: 'a', req: { op: OpCode.getAllChildrenNumber, path: '/d' } },
  { as: 'a', req: { op: OpCode.getAllChildrenNumber, path: '/zookeeper' } },
  { as: 'a', req: { op: OpCode.getEphemerals, prefixPath: '/d' } },
  { as: 'a', req: { op: OpCode.sync, path: '/anything' } },
  { as: 'a', req: { op: OpCode.addWatch, path: '/d', mode: 1 } },
  { as: 'a', req: { op: OpCode.checkWatches, path: '/d', type: 3 } },
  { as: 'a', req: { op: OpCode.checkWatches, path: '/nope', type: 2 } },
  { as: 'a', req: { op: OpCode.removeWatches, path: '/d', type: 3 } },
  { as: 'a', req: { op: OpCode.removeWatches, path: '/d', type: 3 } },
  { as: 'a', req: { op: OpCode.whoAmI } },
  { as: 'a', req: { op: OpCode.getChildren2, path: '/d', watch: false } },
  { as: 'a', req: { op: OpCode.getData, path: '/d', watch: false } },
];

function normalizeStat(stat: Stat) {
  return { version: stat.version, cversion: stat.cversion, aversion: stat.aversion, dataLength: stat.dataLength, numChildren: stat.numChildren, ephemeral: stat.ephemeralOwner !== 0n };
}

function normalize(reply: { header: { err: number }; response?: Response }): unknown {
  return JSON.parse(
    JSON.stringify({ err: reply.header.err, response: reply.response }, (key, value) => {
      if (typeof value === 'bigint') return 'n';
      if (value && typeof value === 'object' && 'czxid' in value) return normalizeStat(value as Stat);
      if (key === 'children' && Array.isArray(value)) return [...value].sort();
      // ZooKeeper lists identities in its hash set's order: compare them as a set
      if (key === 'clientInfo' && Array.isArray(value))
        return value.map((c: { authScheme: string; user: string }) => `${c.authScheme}:${c.authScheme === 'ip' ? 'IP' : c.user}`).sort();
      if (value && typeof value === 'object' && value.type === 'Buffer') return Buffer.from(value.data).toString('hex');
      return value;
    }),
  );
}

async function runScenario(connectionString: string): Promise<unknown[]> {
  const port = Number(connectionString.split(':')[1]);
  const a = await RawClient.open(port);
  const b = await RawClient.open(port);
  const out: unknown[] = [];
  try {
    for (const step of steps) {
      const client = step.as === 'a' ? a : b;
      out.push({ step: `${step.as} ${OpCode[step.req.op]} ${'path' in step.req ? step.req.path : ''}`, ...(normalize(await client.send(step.req)) as object) });
    }
  } finally {
    await a.close();
    await b.close();
  }
  return out;
}

describe.runIf(requireZooKeeper('server differential test'))('ZooServer vs Apache ZooKeeper 3.8 (differential)', () => {
  const { zk, zoo } = sideBySide();

  it('gives the same results, error codes and Stat fields for the same scenario', async () => {
    const [reference, ours] = await Promise.all([runScenario(zk().connectionString), runScenario(zoo().connectionString)]);
    for (let i = 0; i < steps.length; i++) expect(ours[i], `step ${i}`).toEqual(reference[i]);
  }, 60_000);
});
