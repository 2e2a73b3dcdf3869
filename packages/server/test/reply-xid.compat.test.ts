import { describe, expect, it } from 'vitest';
import { requireZooKeeper } from '@zoo/zookeeper';
import { encodeRequest, OpCode, OPEN_ACL_UNSAFE, Xid, type CreateRequest, type Request } from '@zoo/core';
import { RawClient, until } from './raw-client.js';
import { sideBySide } from './side-by-side.js';

/**
 * Every opcode, sent over a raw socket with an ordinary xid (and the reserved ones where clients
 * use them) to a real ZooKeeper 3.8 and to ZooServer: the reply must carry the xid ZooKeeper's
 * carries, with the same error code. Go's client sends auth with an ordinary xid and waits for
 * that xid back.
 */
const acl = [...OPEN_ACL_UNSAFE];

interface Case {
  name: string;
  xid: number;
  request: (p: string) => Request;
  /** Requests run (and answered) first on the same connection. */
  setup?: (p: string) => Request[];
  /** Where ZooKeeper and ZooServer knowingly differ (the xid is still compared where both reply). */
  differs?: { err?: string; zooKeeperSilent?: string };
}

const node = (p: string): CreateRequest => ({ op: OpCode.create, path: p, data: Buffer.from('d'), acl, flags: 0 });
const emptyWatches = { dataWatches: [], existWatches: [], childWatches: [], persistentWatches: [], persistentRecursiveWatches: [] };

const CASES: Case[] = [
  { name: 'create', xid: 1001, request: (p) => node(p) },
  { name: 'create2', xid: 1002, request: (p) => ({ op: OpCode.create2, path: p, data: null, acl, flags: 0 }) },
  { name: 'createContainer', xid: 1003, request: (p) => ({ op: OpCode.createContainer, path: p, data: null, acl, flags: 4 }) },
  { name: 'createTTL', xid: 1004, request: (p) => ({ op: OpCode.createTTL, path: p, data: null, acl, flags: 5, ttl: 60_000n }) },
  { name: 'delete', xid: 1005, setup: (p) => [node(p)], request: (p) => ({ op: OpCode.delete, path: p, version: -1 }) },
  { name: 'delete (error)', xid: 1006, request: (p) => ({ op: OpCode.delete, path: p, version: -1 }) },
  { name: 'exists', xid: 1007, request: (p) => ({ op: OpCode.exists, path: p, watch: true }) },
  { name: 'getData', xid: 1008, setup: (p) => [node(p)], request: (p) => ({ op: OpCode.getData, path: p, watch: false }) },
  { name: 'setData', xid: 1009, setup: (p) => [node(p)], request: (p) => ({ op: OpCode.setData, path: p, data: Buffer.from('e'), version: 0 }) },
  { name: 'getACL', xid: 1010, setup: (p) => [node(p)], request: (p) => ({ op: OpCode.getACL, path: p }) },
  { name: 'setACL', xid: 1011, setup: (p) => [node(p)], request: (p) => ({ op: OpCode.setACL, path: p, acl, version: -1 }) },
  { name: 'getChildren', xid: 1012, setup: (p) => [node(p)], request: (p) => ({ op: OpCode.getChildren, path: p, watch: true }) },
  { name: 'getChildren2', xid: 1013, setup: (p) => [node(p)], request: (p) => ({ op: OpCode.getChildren2, path: p, watch: false }) },
  { name: 'sync', xid: 1014, request: () => ({ op: OpCode.sync, path: '/' }) },
  { name: 'ping', xid: Xid.ping, request: () => ({ op: OpCode.ping }) },
  { name: 'ping with an ordinary xid', xid: 1015, request: () => ({ op: OpCode.ping }) },
  {
    name: 'check outside multi',
    xid: 1016,
    setup: (p) => [node(p)],
    request: (p) => ({ op: OpCode.check, path: p, version: 0 }),
    differs: { zooKeeperSilent: 'ZooKeeper 3.8 drops a standalone check without a reply (its client never sends one); ZooServer answers UNIMPLEMENTED with the xid and closes, as for any unknown request' },
  },
  { name: 'multi', xid: 1017, request: (p) => ({ op: OpCode.multi, ops: [node(p), { op: OpCode.setData, path: p, data: null, version: 0 }] }) },
  { name: 'multi (error)', xid: 1018, request: (p) => ({ op: OpCode.multi, ops: [{ op: OpCode.delete, path: p, version: -1 }] }) },
  { name: 'multiRead', xid: 1019, setup: (p) => [node(p)], request: (p) => ({ op: OpCode.multiRead, ops: [{ op: OpCode.getData, path: p, watch: false }] }) },
  { name: 'reconfig', xid: 1020, request: () => ({ op: OpCode.reconfig, joiningServers: null, leavingServers: null, newMembers: null, curConfigId: -1n }) },
  { name: 'checkWatches', xid: 1021, setup: (p) => [node(p), { op: OpCode.getData, path: p, watch: true }], request: (p) => ({ op: OpCode.checkWatches, path: p, type: 2 }) },
  { name: 'removeWatches', xid: 1022, setup: (p) => [node(p), { op: OpCode.getData, path: p, watch: true }], request: (p) => ({ op: OpCode.removeWatches, path: p, type: 2 }) },
  { name: 'removeWatches (none)', xid: 1023, request: (p) => ({ op: OpCode.removeWatches, path: p, type: 1 }) },
  {
    name: 'deleteContainer',
    xid: 1024,
    request: (p) => ({ op: OpCode.deleteContainer, path: p }),
    differs: { err: 'an internal opcode no client sends: ZooKeeper answers BADARGUMENTS, ZooServer NONODE for a missing node' },
  },
  { name: 'auth, ordinary xid (Go client)', xid: 1025, request: () => ({ op: OpCode.auth, type: 0, scheme: 'digest', auth: Buffer.from('user:secret') }) },
  { name: 'auth, xid -4 (Java and C clients)', xid: Xid.auth, request: () => ({ op: OpCode.auth, type: 0, scheme: 'digest', auth: Buffer.from('user:secret') }) },
  { name: 'auth, unknown scheme', xid: 1026, request: () => ({ op: OpCode.auth, type: 0, scheme: 'nosuchscheme', auth: Buffer.from('x') }) },
  { name: 'setWatches, xid -8', xid: Xid.setWatches, request: (p) => ({ op: OpCode.setWatches, relativeZxid: 0n, ...emptyWatches, dataWatches: [p] }) },
  { name: 'setWatches, ordinary xid', xid: 1027, request: (p) => ({ op: OpCode.setWatches, relativeZxid: 0n, ...emptyWatches, existWatches: [p] }) },
  { name: 'setWatches2', xid: 1028, request: (p) => ({ op: OpCode.setWatches2, relativeZxid: 0n, ...emptyWatches, persistentWatches: [p] }) },
  { name: 'getEphemerals', xid: 1029, request: () => ({ op: OpCode.getEphemerals, prefixPath: '/' }) },
  { name: 'getAllChildrenNumber', xid: 1030, setup: (p) => [node(p)], request: (p) => ({ op: OpCode.getAllChildrenNumber, path: p }) },
  { name: 'addWatch', xid: 1031, request: (p) => ({ op: OpCode.addWatch, path: p, mode: 1 }) },
  { name: 'whoAmI', xid: 1032, request: () => ({ op: OpCode.whoAmI }) },
  { name: 'closeSession', xid: 1033, request: () => ({ op: OpCode.closeSession }) },
];

type Outcome = { xid: number; err: number } | 'closed without a reply' | 'no reply (the next request was answered)';

/** Sent right behind each case: if its reply comes first, the case got none. */
const NEXT_XID = 9999;

async function outcome(port: number, c: Case, side: string): Promise<Outcome> {
  const client = await RawClient.open(port, { timeOut: 30_000 });
  try {
    const path = `/xid-${side}-${c.xid}`;
    for (const r of c.setup?.(path) ?? []) expect((await client.send(r)).header.err).toBe(0);
    const before = client.replies.length;
    let closed = false;
    void client.closed.then(() => (closed = true));
    client.writeRaw(Buffer.concat([encodeRequest(c.xid, c.request(path)), encodeRequest(NEXT_XID, { op: OpCode.exists, path: '/', watch: false })]));
    await until(() => client.replies.length > before || closed, 10_000, `a reply to ${c.name}`);
    const header = client.replies[before];
    if (!header) return 'closed without a reply';
    if (header.xid === NEXT_XID && c.xid !== NEXT_XID) return 'no reply (the next request was answered)';
    return { xid: header.xid, err: header.err };
  } finally {
    await client.close();
  }
}

describe.runIf(requireZooKeeper('reply xids against ZooServer'))('every reply carries the xid ZooKeeper sends back', () => {
  const { zk, zoo } = sideBySide({ zookeeper: { extraConfig: { extendedTypesEnabled: 'true' } }, server: { maxClientCnxns: 0 } });

  it.each(CASES)('$name', async (c) => {
    const [expected, actual] = await Promise.all([outcome(zk().nodes[0].clientPort, c, 'zk'), outcome(zoo().port, c, 'zoo')]);
    if (c.differs?.zooKeeperSilent) {
      expect(expected, c.differs.zooKeeperSilent).toBe('no reply (the next request was answered)');
      // ZooServer still answers, with the request's xid
      expect(actual).toMatchObject({ xid: c.xid });
    } else if (c.differs?.err) {
      expect(typeof actual === 'object' && typeof expected === 'object' ? actual.xid : actual, c.differs.err).toEqual(typeof expected === 'object' ? expected.xid : expected);
    } else {
      expect(actual).toEqual(expected);
    }
  });

  it('answers auth with the request\'s own xid, as the Go client needs', async () => {
    const client = await RawClient.open(zoo().port);
    try {
      const reply = await client.send({ op: OpCode.auth, type: 0, scheme: 'digest', auth: Buffer.from('go:client') }, 42);
      expect(reply.header).toMatchObject({ xid: 42, err: 0 });
    } finally {
      await client.close();
    }
  });
});
