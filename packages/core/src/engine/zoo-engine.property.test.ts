import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OPEN_ACL_UNSAFE } from '../acl/ids.js';
import { ZooErrorCode } from '../errors.js';
import { CreateMode, OpCode } from '../protocol/opcodes.js';
import type { ConnectionContext } from './zoo-engine.js';
import { engineKit } from './test-kit.js';

/**
 * Random operation sequences against the engine and a small reference model of ZooKeeper's
 * rules. After every step the error codes must agree; at the end every node's Stat must match
 * the model, sequence numbers must never repeat under a parent, and ephemerals of closed
 * sessions and empty used containers must be gone.
 */
interface ModelNode {
  version: number;
  creates: number;
  children: Set<string>;
  owner: number | 'persistent' | 'container';
}

type Op =
  | { kind: 'create'; session: number; parent: number; name: string; mode: 'p' | 'e' | 'ps' | 'es' | 'c' }
  | { kind: 'delete'; session: number; target: number; anyVersion: boolean }
  | { kind: 'set'; session: number; target: number; anyVersion: boolean }
  | { kind: 'close'; session: number }
  | { kind: 'reap' };

const SESSIONS = 3;
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('create' as const), session: fc.nat(SESSIONS - 1), parent: fc.nat(40), name: fc.constantFrom('a', 'b', 'c', 'd'), mode: fc.constantFrom('p', 'e', 'ps', 'es', 'c') as fc.Arbitrary<'p' | 'e' | 'ps' | 'es' | 'c'> }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), session: fc.nat(SESSIONS - 1), target: fc.nat(40), anyVersion: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('set' as const), session: fc.nat(SESSIONS - 1), target: fc.nat(40), anyVersion: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('close' as const), session: fc.nat(SESSIONS - 1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reap' as const) }) },
);

const MODES = { p: CreateMode.PERSISTENT, e: CreateMode.EPHEMERAL, ps: CreateMode.PERSISTENT_SEQUENTIAL, es: CreateMode.EPHEMERAL_SEQUENTIAL, c: CreateMode.CONTAINER };

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i === 0 ? '/' : path.slice(0, i);
}

describe('engine vs reference model (property)', () => {
  it('agrees on every result and every Stat', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 120 }), (ops) => {
        const kit = engineKit();
        const model = new Map<string, ModelNode>([['/', { version: 0, creates: 0, children: new Set(), owner: 'persistent' }]]);
        const sessions: ConnectionContext[] = [];
        for (let i = 0; i < SESSIONS; i++) sessions.push(kit.connect());
        const seqSeen = new Set<string>();
        const paths = () => [...model.keys()].sort();

        const removeNode = (path: string) => {
          model.delete(path);
          model.get(parentOf(path))?.children.delete(path);
        };

        for (const op of ops) {
          if (op.kind === 'create') {
            const all = paths();
            const parent = all[op.parent % all.length];
            const base = `${parent === '/' ? '' : parent}/${op.name}`;
            const mode = MODES[op.mode];
            const req = op.mode === 'c'
              ? { op: OpCode.createContainer as const, path: base, data: null, acl: [...OPEN_ACL_UNSAFE], flags: mode }
              : { op: OpCode.create as const, path: base, data: null, acl: [...OPEN_ACL_UNSAFE], flags: mode };
            const r = kit.run(sessions[op.session], req);
            const p = model.get(parent)!;
            const sequential = op.mode === 'ps' || op.mode === 'es';
            const path = sequential ? base + String(p.creates).padStart(10, '0') : base;
            let want: number = 0;
            if (typeof p.owner === 'number') want = ZooErrorCode.NOCHILDRENFOREPHEMERALS;
            if (model.has(path)) want = ZooErrorCode.NODEEXISTS;
            expect(r.err).toBe(want);
            if (want === 0) {
              if (sequential) {
                expect(seqSeen.has(path)).toBe(false);
                seqSeen.add(path);
              }
              p.creates++;
              p.children.add(path);
              const owner = op.mode === 'e' || op.mode === 'es' ? op.session : op.mode === 'c' ? 'container' : 'persistent';
              model.set(path, { version: 0, creates: 0, children: new Set(), owner });
            }
          } else if (op.kind === 'delete' || op.kind === 'set') {
            const all = paths().filter((p) => p !== '/');
            if (all.length === 0) continue;
            const path = all[op.target % all.length];
            const node = model.get(path)!;
            const version = op.anyVersion ? -1 : node.version + (op.target % 2);
            const r = op.kind === 'delete'
              ? kit.run(sessions[op.session], { op: OpCode.delete, path, version })
              : kit.run(sessions[op.session], { op: OpCode.setData, path, data: Buffer.from('x'), version });
            let want: number = 0;
            if (version !== -1 && version !== node.version) want = ZooErrorCode.BADVERSION;
            else if (op.kind === 'delete' && node.children.size > 0) want = ZooErrorCode.NOTEMPTY;
            expect(r.err).toBe(want);
            if (want === 0) {
              if (op.kind === 'delete') removeNode(path);
              else node.version++;
            }
          } else if (op.kind === 'close') {
            kit.run(sessions[op.session], { op: OpCode.closeSession });
            for (const [path, node] of [...model]) if (node.owner === op.session) removeNode(path);
            sessions[op.session] = kit.connect();
          } else {
            kit.engine.reapContainers();
            for (const [path, node] of [...model]) if (node.owner === 'container' && node.children.size === 0 && node.creates > 0) removeNode(path);
          }
        }

        const observer = kit.connect();
        for (const [path, node] of model) {
          if (path === '/') continue; // the root also holds the built-in /zookeeper
          const stat = kit.stat(observer, path);
          expect(stat, path).not.toBeNull();
          expect(stat!.version).toBe(node.version);
          expect(stat!.numChildren).toBe(node.children.size);
          expect(stat!.cversion).toBe(2 * node.creates - node.children.size);
          if (typeof node.owner === 'number') expect(stat!.ephemeralOwner).toBe(sessions[node.owner].sessionId);
          else expect(stat!.ephemeralOwner).toBe(0n);
        }
        // nothing else exists (the model has no /zookeeper subtree: 3 nodes)
        const total = (kit.ok(observer, { op: OpCode.getAllChildrenNumber, path: '/' }) as { totalNumber: number }).totalNumber;
        expect(total).toBe(model.size - 1 + 3);
      }),
      { numRuns: 150 },
    );
  });
});
