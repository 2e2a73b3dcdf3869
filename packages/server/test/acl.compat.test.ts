import { describe, expect, it } from 'vitest';
import {
  AddWatchMode,
  CreateMode,
  EventType,
  OpCode,
  OPEN_ACL_UNSAFE,
  Perms,
  WatcherType,
  ZooErrorCode,
  generateDigest,
  type ACL,
  type MultiOp,
  type Request,
  type Stat,
  type WatcherEvent,
} from '@zoo/core';
import { requireZooKeeper, until } from '@zoo/zookeeper';
import { RawClient, type Reply } from './raw-client.js';
import { sideBySide } from './side-by-side.js';

/**
 * ACLs over the wire, side by side: every operation is tried without the permission it needs
 * and with it, on a real Apache ZooKeeper 3.8 and on ZooServer, and ZooServer must answer
 * exactly as ZooKeeper does (error code, result body, Stat fields that do not depend on time or
 * zxids). Watches too: a watch refused for lack of READ is never registered, and a change to a
 * node the watcher cannot READ is never delivered — one-shot, persistent or recursive.
 *
 * Identities: `owner` (digest owner:pw) owns everything, `guest` (digest guest:pw) is granted
 * exactly one permission on the `only-*` nodes, `stranger` has no credentials (world + ip only).
 */
const OK = 0;
const { NOAUTH } = ZooErrorCode;
const open = [...OPEN_ACL_UNSAFE];
const OWNER = { scheme: 'digest', id: generateDigest('owner:pw') };
const GUEST = { scheme: 'digest', id: generateDigest('guest:pw') };
const owner: ACL = { perms: Perms.ALL, id: OWNER };
const worldWithout = (perm: number): ACL[] => [{ perms: Perms.ALL & ~perm, id: { scheme: 'world', id: 'anyone' } }, owner];
const guestOnly = (perm: number): ACL[] => [{ perms: perm, id: GUEST }, owner];
/** Everything but READ for everyone, everything for the owner. */
const noRead = worldWithout(Perms.READ);

const PERMS = { r: Perms.READ, w: Perms.WRITE, c: Perms.CREATE, d: Perms.DELETE, a: Perms.ADMIN } as const;
type PermKey = keyof typeof PERMS;
type Who = 'owner' | 'guest' | 'stranger';

interface Step {
  name: string;
  as: Who;
  req: Request;
  /** The top-level error code ZooKeeper must give (asserted on ZooKeeper, then ZooServer must match). */
  err?: number;
  /** For multi/multiRead: the per-op error codes ZooKeeper must give. */
  errs?: number[];
  /** exists on an existing node without READ: see `existsAsOf384`. */
  existsNoRead?: boolean;
}

/**
 * exists() checks READ on an existing node since ZooKeeper 3.8.4 / 3.9.2 (ZOOKEEPER-2590, an
 * information leak fix); Debian's 3.8.0 answers such an exists with the Stat. ZooServer follows
 * the fixed releases: where the reference is older, it must say NOAUTH where ZooKeeper said OK.
 */
function existsAsOf384(reference: { err: number }, ours: unknown, what: string): void {
  if (reference.err === NOAUTH) expect(ours, what).toEqual(reference);
  else {
    expect(reference.err, `ZooKeeper before 3.8.4: ${what}`).toBe(OK);
    expect(ours, what).toEqual({ err: NOAUTH });
  }
}

// ---- the tree both servers start from ------------------------------------------------------

/** Nodes the owner creates first: /acl/no-<p> (world has all but p), /acl/only-<p> (guest has only p). */
function setupSteps(): Step[] {
  const steps: Step[] = [];
  const mk = (path: string, acl: ACL[], data = 'd') =>
    steps.push({ name: `setup ${path}`, as: 'owner', req: { op: OpCode.create, path, data: Buffer.from(data), acl, flags: 0 }, err: OK });
  mk('/acl', open);
  for (const [k, perm] of Object.entries(PERMS)) {
    for (const [prefix, acl] of [['no', worldWithout(perm)], ['only', guestOnly(perm)]] as const) {
      const base = `/acl/${prefix}-${k}`;
      mk(base, acl);
      // kids to delete (open ACL: only the parent's DELETE matters) and to list
      for (let i = 0; i < 8; i++) mk(`${base}/kid${i}`, open);
    }
  }
  // a readable parent of unreadable children; an unreadable parent of readable children
  mk('/acl/pub', open);
  mk('/acl/pub/hidden1', noRead);
  mk('/acl/pub/hidden2', [owner]);
  mk('/acl/pub/hidden2/deeper', [owner]);
  mk('/acl/no-ra', worldWithout(Perms.READ | Perms.ADMIN));
  mk('/acl/priv', [owner]);
  mk('/acl/priv/visible', open);
  // the auth scheme (the creator's identities) and the ip scheme
  mk('/acl/authed', [{ perms: Perms.ALL, id: { scheme: 'auth', id: '' } }]);
  mk('/acl/ip-loop', [{ perms: Perms.READ, id: { scheme: 'ip', id: '127.0.0.1' } }, owner]);
  mk('/acl/ip-other', [{ perms: Perms.READ, id: { scheme: 'ip', id: '10.1.2.0/24' } }, owner]);
  return steps;
}

// ---- each operation, without and with its permission ---------------------------------------

let seq = 0;
const fresh = (parent: string, tag: string) => `${parent}/${tag}-${seq++}`;
const kidCounters = new Map<string, number>();
/** The next kid of `parent` that no earlier step deleted. */
const nextKid = (parent: string) => {
  const n = kidCounters.get(parent) ?? 0;
  kidCounters.set(parent, n + 1);
  return `${parent}/kid${n}`;
};

type OpMaker = (node: string) => Request;
/** The operations that need `perm` on `node` (READ/WRITE/ADMIN) or on the parent `node` (CREATE/DELETE). */
const OPS: Record<PermKey, Array<{ name: string; make: OpMaker; multi?: boolean }>> = {
  r: [
    { name: 'getData', make: (p) => ({ op: OpCode.getData, path: p, watch: false }) },
    { name: 'exists', make: (p) => ({ op: OpCode.exists, path: p, watch: false }) },
    { name: 'getChildren', make: (p) => ({ op: OpCode.getChildren, path: p, watch: false }) },
    { name: 'getChildren2', make: (p) => ({ op: OpCode.getChildren2, path: p, watch: false }) },
    { name: 'getAllChildrenNumber', make: (p) => ({ op: OpCode.getAllChildrenNumber, path: p }) },
    { name: 'multi check', make: (p) => ({ op: OpCode.multi, ops: [{ op: OpCode.check, path: p, version: -1 }] }), multi: true },
    { name: 'multiRead getData', make: (p) => ({ op: OpCode.multiRead, ops: [{ op: OpCode.getData, path: p, watch: false }] }), multi: true },
    { name: 'multiRead getChildren', make: (p) => ({ op: OpCode.multiRead, ops: [{ op: OpCode.getChildren, path: p, watch: false }] }), multi: true },
  ],
  w: [
    { name: 'setData', make: (p) => ({ op: OpCode.setData, path: p, data: Buffer.from('new'), version: -1 }) },
    { name: 'multi setData', make: (p) => ({ op: OpCode.multi, ops: [{ op: OpCode.setData, path: p, data: Buffer.from('m'), version: -1 }] }), multi: true },
  ],
  c: [
    { name: 'create', make: (p) => ({ op: OpCode.create, path: fresh(p, 'c'), data: null, acl: open, flags: CreateMode.PERSISTENT }) },
    { name: 'create2', make: (p) => ({ op: OpCode.create2, path: fresh(p, 'c2'), data: null, acl: open, flags: CreateMode.PERSISTENT }) },
    { name: 'create sequential', make: (p) => ({ op: OpCode.create2, path: `${p}/seq-`, data: null, acl: open, flags: CreateMode.PERSISTENT_SEQUENTIAL }) },
    { name: 'create ephemeral', make: (p) => ({ op: OpCode.create2, path: fresh(p, 'e'), data: null, acl: open, flags: CreateMode.EPHEMERAL }) },
    { name: 'createContainer', make: (p) => ({ op: OpCode.createContainer, path: fresh(p, 'box'), data: null, acl: open, flags: CreateMode.CONTAINER }) },
    { name: 'createTTL', make: (p) => ({ op: OpCode.createTTL, path: fresh(p, 'ttl'), data: null, acl: open, flags: CreateMode.PERSISTENT_WITH_TTL, ttl: 600_000n }) },
    {
      name: 'multi create/create2/createContainer/createTTL',
      make: (p) => ({
        op: OpCode.multi,
        ops: [
          { op: OpCode.create, path: fresh(p, 'mc'), data: null, acl: open, flags: 0 },
          { op: OpCode.create2, path: fresh(p, 'mc2'), data: null, acl: open, flags: 0 },
          { op: OpCode.createContainer, path: fresh(p, 'mbox'), data: null, acl: open, flags: CreateMode.CONTAINER },
          { op: OpCode.createTTL, path: fresh(p, 'mttl'), data: null, acl: open, flags: CreateMode.PERSISTENT_WITH_TTL, ttl: 600_000n },
        ],
      }),
      multi: true,
    },
  ],
  d: [
    { name: 'delete', make: (p) => ({ op: OpCode.delete, path: nextKid(p), version: -1 }) },
    { name: 'multi delete', make: (p) => ({ op: OpCode.multi, ops: [{ op: OpCode.delete, path: nextKid(p), version: -1 }] }), multi: true },
  ],
  a: [
    { name: 'setACL', make: (p) => ({ op: OpCode.setACL, path: p, acl: [...(p.includes('/no-') ? worldWithout(Perms.ADMIN) : guestOnly(Perms.ADMIN))], version: -1 }) },
    // getACL needs READ *or* ADMIN: the only-a node grants it through ADMIN alone (unmasked digests)
    { name: 'getACL', make: (p) => ({ op: OpCode.getACL, path: p }) },
  ],
};

function opSteps(): Step[] {
  const steps: Step[] = [];
  for (const k of Object.keys(PERMS) as PermKey[]) {
    const no = `/acl/no-${k}`;
    const only = `/acl/only-${k}`;
    for (const { name, make, multi } of OPS[k]) {
      // a negative try must not consume the kid a later positive try deletes
      const negative = (who: Who, node: string): Step => {
        const req = make(node);
        if (k === 'd') kidCounters.set(node, (kidCounters.get(node) ?? 1) - 1);
        if (req.op === OpCode.exists) return { name: `${name} on ${node} as ${who}`, as: who, req, existsNoRead: true };
        return multi ? { name: `${name} on ${node} as ${who}`, as: who, req, errs: multiErrs(req, NOAUTH) } : { name: `${name} on ${node} as ${who}`, as: who, req, err: NOAUTH };
      };
      const positive = (who: Who, node: string): Step => {
        const req = make(node);
        return multi ? { name: `${name} on ${node} as ${who}`, as: who, req, errs: multiErrs(req, OK) } : { name: `${name} on ${node} as ${who}`, as: who, req, err: OK };
      };
      if (!(k === 'a' && name === 'getACL')) {
        steps.push(negative('stranger', no)); // world lacks exactly this permission
        steps.push(negative('guest', no)); // so does a guest (world's grant, not its own)
      }
      steps.push(negative('stranger', only)); // granted to guest only
      steps.push(positive('guest', only)); // the one permission is enough
      steps.push(positive('owner', no)); // the owner has everything
    }
  }
  return steps;
}

/** NOAUTH on the first op of a multi; a multiRead fails each op on its own. */
function multiErrs(req: Request, err: number): number[] {
  const ops = (req as { ops: MultiOp[] }).ops;
  if (err === OK) return ops.map(() => OK);
  if (req.op === OpCode.multiRead) return ops.map(() => err);
  return ops.map((_, i) => (i === 0 ? err : ZooErrorCode.RUNTIMEINCONSISTENCY));
}

/** Cases that are not "one op, one permission". */
function specialSteps(): Step[] {
  const s = (name: string, as: Who, req: Request, err?: number, errs?: number[]): Step => ({ name, as, req, err, errs });
  const existsNoRead = (name: string, as: Who, path: string): Step => ({ name, as, req: { op: OpCode.exists, path, watch: false }, existsNoRead: true });
  return [
    // a readable parent lists (and counts) children the caller cannot read
    s('getChildren of readable parent with unreadable children', 'stranger', { op: OpCode.getChildren, path: '/acl/pub', watch: false }, OK),
    s('getChildren2 of readable parent with unreadable children', 'stranger', { op: OpCode.getChildren2, path: '/acl/pub', watch: false }, OK),
    s('getAllChildrenNumber of readable parent with unreadable subtree', 'stranger', { op: OpCode.getAllChildrenNumber, path: '/acl/pub' }, OK),
    s('getData of an unreadable child', 'stranger', { op: OpCode.getData, path: '/acl/pub/hidden1', watch: false }, NOAUTH),
    existsNoRead('exists of an unreadable child', 'stranger', '/acl/pub/hidden1'),
    existsNoRead('exists of an unreadable child of an unreadable child', 'stranger', '/acl/pub/hidden2/deeper'),
    s('exists of a readable child of an unreadable parent', 'stranger', { op: OpCode.exists, path: '/acl/priv/visible', watch: false }, OK),
    s('exists of a missing child of an unreadable node', 'stranger', { op: OpCode.exists, path: '/acl/pub/hidden2/none', watch: false }),
    s('getData of a readable child of an unreadable parent', 'stranger', { op: OpCode.getData, path: '/acl/priv/visible', watch: false }, OK),
    s('getChildren of an unreadable parent', 'stranger', { op: OpCode.getChildren, path: '/acl/priv', watch: false }, NOAUTH),
    // multiRead: each op on its own
    s('multiRead mixed', 'stranger', {
      op: OpCode.multiRead,
      ops: [
        { op: OpCode.getData, path: '/acl/pub', watch: false },
        { op: OpCode.getData, path: '/acl/pub/hidden1', watch: false },
        { op: OpCode.getChildren, path: '/acl/pub', watch: false },
        { op: OpCode.getChildren, path: '/acl/priv', watch: false },
        { op: OpCode.getData, path: '/acl/missing', watch: false },
      ],
    }, undefined, [OK, NOAUTH, OK, NOAUTH, ZooErrorCode.NONODE]),
    // multi: the first allowed op is rolled back when a later one lacks its permission
    s('multi allowed then NOAUTH', 'stranger', {
      op: OpCode.multi,
      ops: [
        { op: OpCode.create, path: '/acl/pub/m-ok', data: null, acl: open, flags: 0 },
        { op: OpCode.setData, path: '/acl/no-w', data: null, version: -1 },
        { op: OpCode.create, path: '/acl/pub/m-after', data: null, acl: open, flags: 0 },
      ],
    }, undefined, [OK, NOAUTH, ZooErrorCode.RUNTIMEINCONSISTENCY]),
    s('the rolled-back create is absent', 'owner', { op: OpCode.exists, path: '/acl/pub/m-ok', watch: false }, ZooErrorCode.NONODE),
    s('multi check NOAUTH then write', 'stranger', {
      op: OpCode.multi,
      ops: [
        { op: OpCode.check, path: '/acl/no-r', version: -1 },
        { op: OpCode.create, path: '/acl/pub/m-x', data: null, acl: open, flags: 0 },
      ],
    }, undefined, [NOAUTH, ZooErrorCode.RUNTIMEINCONSISTENCY]),
    // NOAUTH vs other errors: which is checked first
    s('setData, wrong version, no WRITE', 'stranger', { op: OpCode.setData, path: '/acl/no-w', data: null, version: 99 }, NOAUTH),
    s('setACL, wrong version, no ADMIN', 'stranger', { op: OpCode.setACL, path: '/acl/no-a', acl: open, version: 99 }),
    s('setACL, invalid ACL, no ADMIN', 'stranger', { op: OpCode.setACL, path: '/acl/no-a', acl: [{ perms: 31, id: { scheme: 'world', id: 'nobody' } }], version: -1 }),
    s('delete, missing child, no DELETE', 'stranger', { op: OpCode.delete, path: '/acl/no-d/none', version: -1 }, NOAUTH),
    s('delete, wrong version, no DELETE', 'stranger', { op: OpCode.delete, path: '/acl/no-d/kid7', version: 99 }, NOAUTH),
    s('create, existing node, no CREATE', 'stranger', { op: OpCode.create, path: '/acl/no-c/kid0', data: null, acl: open, flags: 0 }, NOAUTH),
    s('create, invalid ACL, no CREATE', 'stranger', { op: OpCode.create, path: '/acl/no-c/bad', data: null, acl: [{ perms: 31, id: { scheme: 'auth', id: '' } }], flags: 0 }),
    s('create, empty ACL, no CREATE', 'stranger', { op: OpCode.create, path: '/acl/no-c/bad', data: null, acl: [], flags: 0 }),
    s('getData of a missing child of an unreadable node', 'stranger', { op: OpCode.getData, path: '/acl/no-r/none', watch: false }, ZooErrorCode.NONODE),
    // getACL needs READ or ADMIN; without ADMIN digests are shown masked, with ADMIN in full
    s('getACL without READ and ADMIN', 'stranger', { op: OpCode.getACL, path: '/acl/no-ra' }, NOAUTH),
    s('getACL with READ only', 'guest', { op: OpCode.getACL, path: '/acl/only-r' }, OK),
    s('getACL with nothing', 'stranger', { op: OpCode.getACL, path: '/acl/only-r' }, NOAUTH),
    s('getACL with ADMIN only', 'guest', { op: OpCode.getACL, path: '/acl/only-a' }, OK),
    s('getACL masked (READ, no ADMIN)', 'stranger', { op: OpCode.getACL, path: '/acl/no-a' }, OK),
    s('getACL as owner', 'owner', { op: OpCode.getACL, path: '/acl/no-a' }, OK),
    s('getACL of an auth-scheme node as stranger', 'stranger', { op: OpCode.getACL, path: '/acl/authed' }, NOAUTH),
    s('getACL of an auth-scheme node as owner', 'owner', { op: OpCode.getACL, path: '/acl/authed' }, OK),
    s('getData of an auth-scheme node as guest', 'guest', { op: OpCode.getData, path: '/acl/authed', watch: false }, NOAUTH),
    // ip scheme: every loopback connection carries ip:127.0.0.1
    s('getData ip-granted', 'stranger', { op: OpCode.getData, path: '/acl/ip-loop', watch: false }, OK),
    s('getData ip-refused', 'stranger', { op: OpCode.getData, path: '/acl/ip-other', watch: false }, NOAUTH),
    // ops without ACL checks
    s('sync on an unreadable node', 'stranger', { op: OpCode.sync, path: '/acl/no-r' }),
    s('sync on a missing node', 'stranger', { op: OpCode.sync, path: '/acl/none' }),
    s('addWatch on an unreadable node', 'stranger', { op: OpCode.addWatch, path: '/acl/no-r', mode: AddWatchMode.PERSISTENT }),
    s('addWatch recursive on an unreadable node', 'stranger', { op: OpCode.addWatch, path: '/acl/priv', mode: AddWatchMode.PERSISTENT_RECURSIVE }),
    s('removeWatches of it', 'stranger', { op: OpCode.removeWatches, path: '/acl/priv', type: WatcherType.Any }),
    // ephemerals the session owns but cannot read are still its own
    s('create an ephemeral the creator cannot read', 'stranger', { op: OpCode.create, path: '/acl/no-r/eph-stranger', data: null, acl: [owner], flags: CreateMode.EPHEMERAL }, OK),
    s('getEphemerals lists it', 'stranger', { op: OpCode.getEphemerals, prefixPath: '/acl' }, OK),
    s('getEphemerals with the unreadable parent as prefix', 'stranger', { op: OpCode.getEphemerals, prefixPath: '/acl/no-r' }, OK),
    s('getEphemerals of another session', 'guest', { op: OpCode.getEphemerals, prefixPath: '/' }, OK),
    s('the creator cannot read it', 'stranger', { op: OpCode.getData, path: '/acl/no-r/eph-stranger', watch: false }, NOAUTH),
    s('... but deletes it (the parent grants DELETE)', 'stranger', { op: OpCode.delete, path: '/acl/no-r/eph-stranger', version: -1 }, OK),
  ];
}

// ---- running a scenario on one server ---------------------------------------------------

interface Sessions {
  owner: RawClient;
  guest: RawClient;
  stranger: RawClient;
  close(): Promise<void>;
}

async function openSessions(port: number): Promise<Sessions> {
  const [o, g, s] = await Promise.all([RawClient.open(port, { timeOut: 30_000 }), RawClient.open(port, { timeOut: 30_000 }), RawClient.open(port, { timeOut: 30_000 })]);
  expect((await o.send({ op: OpCode.auth, type: 0, scheme: 'digest', auth: Buffer.from('owner:pw') })).header.err).toBe(0);
  expect((await g.send({ op: OpCode.auth, type: 0, scheme: 'digest', auth: Buffer.from('guest:pw') })).header.err).toBe(0);
  return {
    owner: o,
    guest: g,
    stranger: s,
    close: async () => {
      await Promise.all([o.close(), g.close(), s.close()]);
    },
  };
}

function normalizeStat(stat: Stat) {
  return { version: stat.version, cversion: stat.cversion, aversion: stat.aversion, dataLength: stat.dataLength, numChildren: stat.numChildren, ephemeral: stat.ephemeralOwner !== 0n };
}

/** A reply with what cannot match between two servers (zxids, times, session ids) masked. */
function normalize(reply: Reply): { err: number; response?: unknown } {
  return JSON.parse(
    JSON.stringify({ err: reply.header.err, response: reply.response }, (key, value) => {
      if (typeof value === 'bigint') return 'n';
      if (value && typeof value === 'object' && 'czxid' in value) return normalizeStat(value as Stat);
      if ((key === 'children' || key === 'ephemerals') && Array.isArray(value)) return [...value].sort();
      if (value && typeof value === 'object' && value.type === 'Buffer') return Buffer.from(value.data).toString('hex');
      return value;
    }),
  );
}

async function runSteps(port: number, steps: Step[]): Promise<Array<{ err: number; response?: unknown }>> {
  const sessions = await openSessions(port);
  try {
    const out = [];
    for (const step of steps) out.push(normalize(await sessions[step.as].send(step.req)));
    return out;
  } finally {
    await sessions.close();
  }
}

function multiErrors(result: { response?: unknown }): number[] | undefined {
  const r = result.response as { results?: Array<{ err: number }> } | undefined;
  return r?.results?.map((x) => x.err);
}

// ---- watches ------------------------------------------------------------------------------

const ev = (e: WatcherEvent) => `${EventType[e.type] ?? e.type} ${e.path}`;

describe.runIf(requireZooKeeper('ACLs side by side'))('ACLs over the wire: ZooServer answers as ZooKeeper 3.8 does', () => {
  const { zk, zoo } = sideBySide();
  const ports = () => [zk().nodes[0].clientPort, zoo().port] as const;

  it('every operation without its permission and with it: same codes and results', async () => {
    seq = 0;
    kidCounters.clear();
    const steps = [...setupSteps(), ...opSteps(), ...specialSteps()];
    // the steps are built once (fresh names, kid counters) and run on both servers
    const [zkPort, zooPort] = ports();
    const [reference, ours] = await Promise.all([runSteps(zkPort, steps), runSteps(zooPort, steps)]);
    let noauths = 0;
    for (let i = 0; i < steps.length; i++) {
      const { name, err, errs, existsNoRead } = steps[i];
      if (existsNoRead) {
        existsAsOf384(reference[i], ours[i], `step ${i} ${name}`);
        noauths++;
        continue;
      }
      // ZooKeeper first: the expectation is checked against the reference, so a wrong table fails loudly
      if (err !== undefined) expect(reference[i].err, `ZooKeeper: ${name}`).toBe(err);
      if (errs !== undefined) {
        expect(reference[i].err, `ZooKeeper: ${name}`).toBe(0);
        expect(multiErrors(reference[i]), `ZooKeeper: ${name}`).toEqual(errs);
      }
      if (err === NOAUTH || errs?.includes(NOAUTH)) noauths++;
      expect(ours[i], `ZooServer vs ZooKeeper: step ${i} ${name}`).toEqual(reference[i]);
    }
    expect(noauths).toBeGreaterThan(40);
  }, 60_000);

  it('one-shot watches on nodes without READ are refused, never registered and never fire', async () => {
    const run = async (port: number) => {
      const s = await openSessions(port);
      try {
        const { owner: o, stranger: w } = s;
        const mk = (path: string, acl: ACL[]) => o.send({ op: OpCode.create, path, data: Buffer.from('x'), acl, flags: 0 });
        await mk('/w', open);
        await mk('/w/secret', noRead);
        await mk('/w/open', open);
        await mk('/w/revoked', open);
        const replies: Record<string, number> = {};
        const ask = async (name: string, req: Request) => (replies[name] = (await w.send(req)).header.err);
        await ask('getData secret', { op: OpCode.getData, path: '/w/secret', watch: true });
        await ask('getChildren secret', { op: OpCode.getChildren, path: '/w/secret', watch: true });
        await ask('getChildren2 secret', { op: OpCode.getChildren2, path: '/w/secret', watch: true });
        await ask('checkWatches secret', { op: OpCode.checkWatches, path: '/w/secret', type: WatcherType.Any });
        // (ZooKeeper before 3.8.4 answers this one and registers the watch, see existsAsOf384)
        const existsSecret = normalize(await w.send({ op: OpCode.exists, path: '/w/secret', watch: true }));
        // a watch on a missing node is allowed; the node then appears without READ for the watcher
        await ask('exists later', { op: OpCode.exists, path: '/w/later', watch: true });
        // a data watch on a readable node that then loses READ
        await ask('getData revoked', { op: OpCode.getData, path: '/w/revoked', watch: true });
        // positive controls
        await ask('getData open', { op: OpCode.getData, path: '/w/open', watch: true });
        await ask('getChildren open', { op: OpCode.getChildren, path: '/w/open', watch: true });
        // the owner changes every one of them
        const changes = [
          await o.send({ op: OpCode.setData, path: '/w/secret', data: Buffer.from('y'), version: -1 }),
          await o.send({ op: OpCode.create, path: '/w/secret/kid', data: null, acl: open, flags: 0 }),
          await o.send({ op: OpCode.create, path: '/w/later', data: null, acl: noRead, flags: 0 }),
          await o.send({ op: OpCode.setACL, path: '/w/revoked', acl: noRead, version: -1 }),
          await o.send({ op: OpCode.setData, path: '/w/revoked', data: Buffer.from('y'), version: -1 }),
          // last: the controls; the watcher's events arrive in order, so once these are in, any
          // event for the changes above would be in too
          await o.send({ op: OpCode.setData, path: '/w/open', data: Buffer.from('y'), version: -1 }),
          await o.send({ op: OpCode.create, path: '/w/open/kid', data: null, acl: open, flags: 0 }),
        ];
        expect(changes.map((c) => c.header.err)).toEqual(changes.map(() => 0));
        await until(() => w.events.filter((e) => e.path === '/w/open').length >= 2, 10_000, 'the control events');
        // a round trip after the last event: nothing else was on its way
        await w.send({ op: OpCode.exists, path: '/', watch: false });
        const after: Record<string, number> = {};
        for (const path of ['/w/secret', '/w/later', '/w/revoked', '/w/open'])
          after[`checkWatches ${path}`] = (await w.send({ op: OpCode.checkWatches, path, type: WatcherType.Any })).header.err;
        return { replies, existsSecret, events: w.events.map(ev), after };
      } finally {
        await s.close();
      }
    };
    const [zkPort, zooPort] = ports();
    const [reference, ours] = await Promise.all([run(zkPort), run(zooPort)]);
    existsAsOf384(reference.existsSecret, ours.existsSecret, 'exists with a watch on a node without READ');
    for (const name of ['getData secret', 'getChildren secret', 'getChildren2 secret']) expect(reference.replies[name], `ZooKeeper: ${name}`).toBe(NOAUTH);
    expect(reference.replies['checkWatches secret']).toBe(ZooErrorCode.NOWATCHER);
    expect(reference.events).toEqual(expect.arrayContaining(['NodeDataChanged /w/open', 'NodeChildrenChanged /w/open']));
    expect(reference.events.filter((e) => e.endsWith('/w/secret'))).toEqual([]);
    expect({ ...ours, existsSecret: undefined }).toEqual({ ...reference, existsSecret: undefined });
  }, 60_000);

  it('persistent and recursive watches deliver nothing about nodes the watcher cannot READ', async () => {
    const run = async (port: number) => {
      const s = await openSessions(port);
      try {
        const { owner: o, stranger: w } = s;
        const write = async (req: Request) => expect((await o.send(req)).header.err, JSON.stringify({ ...req, data: undefined, acl: undefined })).toBe(0);
        const mk = (path: string, acl: ACL[]) => write({ op: OpCode.create, path, data: null, acl, flags: 0 });
        await mk('/p', open);
        await mk('/p/open', open);
        await mk('/p/secret', noRead);
        const adds = [
          await w.send({ op: OpCode.addWatch, path: '/p', mode: AddWatchMode.PERSISTENT_RECURSIVE }),
          await w.send({ op: OpCode.addWatch, path: '/p/secret', mode: AddWatchMode.PERSISTENT }),
          await w.send({ op: OpCode.addWatch, path: '/p/open', mode: AddWatchMode.PERSISTENT }),
        ].map((r) => r.header.err);
        await mk('/p/secret/a', open); // readable node under an unreadable parent
        await mk('/p/secret/b', noRead);
        await write({ op: OpCode.setData, path: '/p/secret', data: Buffer.from('1'), version: -1 });
        await write({ op: OpCode.setData, path: '/p/secret/a', data: Buffer.from('1'), version: -1 });
        await write({ op: OpCode.setData, path: '/p/secret/b', data: Buffer.from('1'), version: -1 });
        await mk('/p/hidden', [owner]);
        await write({ op: OpCode.delete, path: '/p/hidden', version: -1 });
        await mk('/p/open/kid', noRead); // an unreadable child of a readable, watched parent
        await write({ op: OpCode.setData, path: '/p/open/kid', data: null, version: -1 });
        await write({ op: OpCode.delete, path: '/p/open/kid', version: -1 });
        await write({ op: OpCode.delete, path: '/p/secret/b', version: -1 });
        await write({ op: OpCode.multi, ops: [{ op: OpCode.create, path: '/p/m', data: null, acl: noRead, flags: 0 }, { op: OpCode.setData, path: '/p/m', data: null, version: -1 }, { op: OpCode.create, path: '/p/m2', data: null, acl: open, flags: 0 }] });
        // the owner takes READ away from a readable node, then changes it
        await write({ op: OpCode.setACL, path: '/p/open', acl: noRead, version: -1 });
        await write({ op: OpCode.setData, path: '/p/open', data: Buffer.from('1'), version: -1 });
        await write({ op: OpCode.setACL, path: '/p/open', acl: open, version: -1 });
        // control, last
        await mk('/p/done', open);
        await until(() => w.events.some((e) => e.path === '/p/done'), 10_000, 'the control event');
        await w.send({ op: OpCode.exists, path: '/', watch: false });
        return { adds, events: w.events.map(ev) };
      } finally {
        await s.close();
      }
    };
    const [zkPort, zooPort] = ports();
    const [reference, ours] = await Promise.all([run(zkPort), run(zooPort)]);
    // ZooKeeper delivers the readable ones and none of the unreadable ones
    expect(reference.events).toEqual(expect.arrayContaining(['NodeCreated /p/secret/a', 'NodeDataChanged /p/secret/a', 'NodeCreated /p/m2', 'NodeCreated /p/done']));
    const unreadable = ['/p/secret', '/p/secret/b', '/p/hidden', '/p/open/kid', '/p/m'];
    expect(reference.events.filter((e) => unreadable.includes(e.split(' ')[1]))).toEqual([]);
    expect(ours).toEqual(reference);
  }, 60_000);

  it('setWatches on reconnect: the same events and registrations for unreadable nodes', async () => {
    const run = async (port: number) => {
      const s = await openSessions(port);
      try {
        const { owner: o, stranger: w } = s;
        for (const [path, acl] of [['/sw', open], ['/sw/secret', noRead], ['/sw/open', open]] as const)
          expect((await o.send({ op: OpCode.create, path, data: null, acl: [...acl], flags: 0 })).header.err).toBe(0);
        const zxid = (await w.send({ op: OpCode.exists, path: '/', watch: false })).header.zxid;
        // missed changes (relative zxid 0): fired at once; the rest registered
        await w.send({ op: OpCode.setWatches, relativeZxid: 0n, dataWatches: ['/sw/secret', '/sw/gone'], existWatches: ['/sw/secret'], childWatches: ['/sw/secret'], persistentWatches: [], persistentRecursiveWatches: [] }, -8);
        await w.send({ op: OpCode.setWatches, relativeZxid: zxid, dataWatches: ['/sw/secret', '/sw/open'], existWatches: ['/sw/later'], childWatches: ['/sw/secret'], persistentWatches: [], persistentRecursiveWatches: [] }, -8);
        await w.send({ op: OpCode.ping });
        const immediate = w.events.map(ev);
        expect((await o.send({ op: OpCode.setData, path: '/sw/secret', data: null, version: -1 })).header.err).toBe(0);
        expect((await o.send({ op: OpCode.create, path: '/sw/secret/kid', data: null, acl: open, flags: 0 })).header.err).toBe(0);
        expect((await o.send({ op: OpCode.create, path: '/sw/later', data: null, acl: noRead, flags: 0 })).header.err).toBe(0);
        expect((await o.send({ op: OpCode.setData, path: '/sw/open', data: null, version: -1 })).header.err).toBe(0);
        await until(() => w.events.some((e) => e.path === '/sw/open'), 10_000, 'the control event');
        await w.send({ op: OpCode.exists, path: '/', watch: false });
        return { immediate, events: w.events.map(ev).slice(immediate.length) };
      } finally {
        await s.close();
      }
    };
    const [zkPort, zooPort] = ports();
    const [reference, ours] = await Promise.all([run(zkPort), run(zooPort)]);
    expect(reference.events).toContain('NodeDataChanged /sw/open');
    expect(reference.events.filter((e) => e.includes('/sw/secret') || e.includes('/sw/later'))).toEqual([]);
    expect(ours).toEqual(reference);
  }, 60_000);
});

describe.runIf(requireZooKeeper('ACLs side by side (super user)'))('ACLs over the wire: the super user, as ZooKeeper 3.8 has it', () => {
  // ZooKeeper takes unknown zoo.cfg keys as `zookeeper.<key>` system properties
  const superDigest = generateDigest('super:admin');
  const { zk, zoo } = sideBySide({ zookeeper: { extraConfig: { 'DigestAuthenticationProvider.superDigest': superDigest } }, server: { superDigest } });

  it('passes every ACL check and receives every watch event; a wrong password is a plain digest', async () => {
    const reqOps: OpCode[] = [OpCode.getData, OpCode.exists, OpCode.getChildren2, OpCode.getACL, OpCode.setData, OpCode.create, OpCode.multi, OpCode.setACL, OpCode.delete, OpCode.whoAmI];
    const run = async (port: number) => {
      const s = await openSessions(port);
      const su = await RawClient.open(port, { timeOut: 30_000 });
      const fake = await RawClient.open(port, { timeOut: 30_000 });
      try {
        expect((await su.send({ op: OpCode.auth, type: 0, scheme: 'digest', auth: Buffer.from('super:admin') })).header.err).toBe(0);
        expect((await fake.send({ op: OpCode.auth, type: 0, scheme: 'digest', auth: Buffer.from('super:wrong') })).header.err).toBe(0);
        const o = s.owner;
        for (const path of ['/su', '/su/locked']) expect((await o.send({ op: OpCode.create, path, data: Buffer.from('x'), acl: [owner], flags: 0 })).header.err).toBe(0);
        expect((await su.send({ op: OpCode.addWatch, path: '/su', mode: AddWatchMode.PERSISTENT_RECURSIVE })).header.err).toBe(0);
        expect((await fake.send({ op: OpCode.addWatch, path: '/su', mode: AddWatchMode.PERSISTENT_RECURSIVE })).header.err).toBe(0);
        const reqs: Request[] = [
          // (in the order of reqOps)
          { op: OpCode.getData, path: '/su/locked', watch: false },
          { op: OpCode.exists, path: '/su/locked', watch: false },
          { op: OpCode.getChildren2, path: '/su', watch: false },
          { op: OpCode.getACL, path: '/su/locked' },
          { op: OpCode.setData, path: '/su/locked', data: Buffer.from('y'), version: -1 },
          { op: OpCode.create, path: '/su/locked/kid', data: null, acl: [owner], flags: 0 },
          { op: OpCode.multi, ops: [{ op: OpCode.check, path: '/su/locked', version: -1 }, { op: OpCode.setData, path: '/su/locked/kid', data: null, version: -1 }] },
          { op: OpCode.setACL, path: '/su/locked', acl: [owner], version: -1 },
          { op: OpCode.delete, path: '/su/locked/kid', version: -1 },
          { op: OpCode.whoAmI },
        ];
        expect(reqs.map((r) => r.op)).toEqual(reqOps);
        const asSuper = [];
        const asFake = [];
        for (const req of reqs) {
          asFake.push(normalize(await fake.send(req)));
          asSuper.push(normalize(await su.send(req)));
        }
        await o.send({ op: OpCode.create, path: '/su/done', data: null, acl: [owner], flags: 0 });
        await until(() => su.events.some((e) => e.path === '/su/done'), 10_000, 'the super user to see the last change');
        // the impostor's watch saw nothing (everything is owner-only); a round trip flushes it
        await fake.send({ op: OpCode.exists, path: '/', watch: false });
        return { asSuper, asFake, superEvents: su.events.map(ev), fakeEvents: fake.events.map(ev) };
      } finally {
        await Promise.all([s.close(), su.close(), fake.close()]);
      }
    };
    const [reference, ours] = await Promise.all([run(zk().nodes[0].clientPort), run(zoo().port)]);
    expect(reference.asSuper.slice(0, -1).map((r) => r.err)).toEqual(reference.asSuper.slice(0, -1).map(() => OK));
    // a wrong super password is just another digest identity: refused everywhere (exists: see existsAsOf384)
    for (const i of [0, 2, 3, 4, 5, 7, 8]) expect(reference.asFake[i].err, `ZooKeeper: impostor ${OpCode[reqOps[i]]}`).toBe(NOAUTH);
    expect(multiErrors(reference.asFake[6])).toEqual([NOAUTH, ZooErrorCode.RUNTIMEINCONSISTENCY]);
    expect(reference.superEvents).toContain('NodeDataChanged /su/locked');
    expect(reference.fakeEvents).toEqual([]);
    // whoAmI lists identities in hash order on ZooKeeper: compare as sets
    const who = (r: { response?: unknown }) => ((r.response as { clientInfo: Array<{ authScheme: string; user: string }> }).clientInfo ?? []).map((c) => `${c.authScheme}:${c.authScheme === 'ip' ? 'IP' : c.user}`).sort();
    expect(who(ours.asSuper.at(-1)!)).toEqual(who(reference.asSuper.at(-1)!));
    expect(who(ours.asFake.at(-1)!)).toEqual(who(reference.asFake.at(-1)!));
    existsAsOf384(reference.asFake[1], ours.asFake[1], 'exists of an owner-only node, wrong super password');
    const strip = (r: typeof ours) => ({ ...r, asSuper: r.asSuper.slice(0, -1), asFake: r.asFake.slice(0, -1).filter((_, i) => i !== 1) });
    expect(strip(ours)).toEqual(strip(reference));
  }, 60_000);
});
