import { describe, expect, it } from 'vitest';
import { generateDigest } from '../acl/digest.js';
import { ZooErrorCode } from '../errors.js';
import { OpCode, Perms } from '../protocol/opcodes.js';
import type { MultiResponse, Request } from '../protocol/records.js';
import { engineKit } from './test-kit.js';

/**
 * For each permission, a node whose ACL grants every other permission: each operation that needs
 * the missing one gets NOAUTH — alone and inside a multi — and the same call with the right
 * identity succeeds.
 */
const cases: Array<{ perm: number; name: string; op: (p: string) => Request; on: 'node' | 'parent' }> = [
  { perm: Perms.READ, name: 'getData', op: (p) => ({ op: OpCode.getData, path: p, watch: false }), on: 'node' },
  { perm: Perms.READ, name: 'getChildren', op: (p) => ({ op: OpCode.getChildren2, path: p, watch: false }), on: 'node' },
  { perm: Perms.READ, name: 'exists', op: (p) => ({ op: OpCode.exists, path: p, watch: false }), on: 'node' },
  { perm: Perms.READ, name: 'getAllChildrenNumber', op: (p) => ({ op: OpCode.getAllChildrenNumber, path: p }), on: 'node' },
  { perm: Perms.WRITE, name: 'setData', op: (p) => ({ op: OpCode.setData, path: p, data: null, version: -1 }), on: 'node' },
  { perm: Perms.ADMIN, name: 'setACL', op: (p) => ({ op: OpCode.setACL, path: p, acl: [{ perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } }], version: -1 }), on: 'node' },
  { perm: Perms.CREATE, name: 'create', op: (p) => ({ op: OpCode.create, path: `${p}/child`, data: null, acl: [{ perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } }], flags: 0 }), on: 'parent' },
  { perm: Perms.DELETE, name: 'delete', op: (p) => ({ op: OpCode.delete, path: `${p}/kid`, version: -1 }), on: 'parent' },
];

const MULTI_OPS = new Set<number>([OpCode.create, OpCode.delete, OpCode.setData]);

describe('ACL sweep: every operation without its permission gets NOAUTH', () => {
  it.each(cases)('$name needs $perm', ({ perm, op }) => {
    const { connect, run, create } = engineKit();
    const owner = connect();
    run(owner, { op: OpCode.auth, type: 0, scheme: 'digest', auth: Buffer.from('owner:pw') });
    const ownerId = { scheme: 'digest', id: generateDigest('owner:pw') };
    const path = '/guarded';
    // everyone gets everything but `perm`; the owner gets everything
    expect(create(owner, path, 'x', 0, [{ perms: Perms.ALL & ~perm, id: { scheme: 'world', id: 'anyone' } }, { perms: Perms.ALL, id: ownerId }]).err).toBe(0);
    expect(create(owner, `${path}/kid`, 'k').err).toBe(0);
    const stranger = connect();
    const request = op(path);
    expect(run(stranger, request).err).toBe(ZooErrorCode.NOAUTH);
    if (MULTI_OPS.has(request.op)) {
      const multi = run(stranger, { op: OpCode.multi, ops: [request as never] });
      expect((multi.response as MultiResponse).results).toEqual([{ type: OpCode.error, err: ZooErrorCode.NOAUTH }]);
    }
    expect(run(owner, request).err).toBe(0);
  });

  it('check inside a multi needs READ', () => {
    const { connect, run, create } = engineKit();
    const owner = connect();
    create(owner, '/c', '', 0, [{ perms: Perms.ALL & ~Perms.READ, id: { scheme: 'world', id: 'anyone' } }]);
    const r = run(connect(), { op: OpCode.multi, ops: [{ op: OpCode.check, path: '/c', version: -1 }] });
    expect((r.response as MultiResponse).results).toEqual([{ type: OpCode.error, err: ZooErrorCode.NOAUTH }]);
  });
});
