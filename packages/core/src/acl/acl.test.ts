import { describe, expect, it } from 'vitest';
import { ZooErrorCode } from '../errors.js';
import { Perms } from '../protocol/opcodes.js';
import { checkACL, fixupACL } from './acl-check.js';
import { generateDigest } from './digest.js';
import { OPEN_ACL_UNSAFE } from './ids.js';
import { ipMatches } from './ip.js';
import { LastFixedACL } from './last-fixed-acl.js';

describe('digest', () => {
  it('is user:base64(sha1(user:password)) as ZooKeeper computes it', () => {
    expect(generateDigest('super:admin')).toBe('super:xQJmxLMiHGwaqBvst5y6rkB6HQs=');
  });
});

describe('ip scheme', () => {
  it.each([
    ['10.1.2.3', '10.1.2.3', true],
    ['10.1.2.3', '10.1.2.4', false],
    ['10.1.2.3', '10.1.0.0/16', true],
    ['10.2.2.3', '10.1.0.0/16', false],
    ['10.1.2.3', '0.0.0.0/0', true],
    ['::ffff:127.0.0.1', '127.0.0.0/8', true],
    ['::1', '::1', true],
    ['fe80::1', 'fe80::/16', true],
    ['fe81::1', 'fe80::/16', false],
    ['10.1.2.3', 'not-an-ip', false],
  ])('%s vs %s → %s', (client, acl, want) => {
    expect(ipMatches(client, acl)).toBe(want);
  });
});

describe('checkACL', () => {
  const alice = { scheme: 'digest', id: generateDigest('alice:secret') };
  const acl = [
    { perms: Perms.READ, id: { scheme: 'world', id: 'anyone' } },
    { perms: Perms.ALL, id: alice },
  ];

  it('world:anyone matches everyone for its bits only', () => {
    expect(checkACL(acl, Perms.READ, [])).toBe(true);
    expect(checkACL(acl, Perms.WRITE, [{ scheme: 'ip', id: '127.0.0.1' }])).toBe(false);
  });

  it('digest matches the exact id', () => {
    expect(checkACL(acl, Perms.WRITE, [alice])).toBe(true);
    expect(checkACL(acl, Perms.WRITE, [{ scheme: 'digest', id: generateDigest('alice:wrong') }])).toBe(false);
  });

  it('super bypasses, and an empty ACL allows all', () => {
    expect(checkACL(acl, Perms.ADMIN, [{ scheme: 'super', id: '' }])).toBe(true);
    expect(checkACL([], Perms.ADMIN, [])).toBe(true);
  });

  it('ip entries match by CIDR', () => {
    const ipAcl = [{ perms: Perms.ALL, id: { scheme: 'ip', id: '127.0.0.0/8' } }];
    expect(checkACL(ipAcl, Perms.READ, [{ scheme: 'ip', id: '127.0.0.5' }])).toBe(true);
    expect(checkACL(ipAcl, Perms.READ, [{ scheme: 'ip', id: '10.0.0.5' }])).toBe(false);
  });
});

describe('fixupACL', () => {
  const code = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      return (err as { code: number }).code;
    }
    return 0;
  };

  it('rejects empty lists, bad world ids, auth without identities, malformed digest and ip ids, unknown schemes', () => {
    expect(code(() => fixupACL('/a', [], []))).toBe(ZooErrorCode.INVALIDACL);
    expect(code(() => fixupACL('/a', [{ perms: 31, id: { scheme: 'world', id: 'bob' } }], []))).toBe(ZooErrorCode.INVALIDACL);
    expect(code(() => fixupACL('/a', [{ perms: 31, id: { scheme: 'auth', id: '' } }], [{ scheme: 'ip', id: '1.2.3.4' }]))).toBe(ZooErrorCode.INVALIDACL);
    expect(code(() => fixupACL('/a', [{ perms: 31, id: { scheme: 'digest', id: 'nohash' } }], []))).toBe(ZooErrorCode.INVALIDACL);
    expect(code(() => fixupACL('/a', [{ perms: 31, id: { scheme: 'ip', id: '1.2.3.4/99' } }], []))).toBe(ZooErrorCode.INVALIDACL);
    expect(code(() => fixupACL('/a', [{ perms: 31, id: { scheme: 'nope', id: 'x' } }], []))).toBe(ZooErrorCode.INVALIDACL);
  });

  it('expands auth to the caller’s authenticated identities and drops duplicates', () => {
    const me = { scheme: 'digest', id: generateDigest('me:pw') };
    const out = fixupACL('/a', [{ perms: 31, id: { scheme: 'auth', id: '' } }, ...OPEN_ACL_UNSAFE, ...OPEN_ACL_UNSAFE], [{ scheme: 'ip', id: '127.0.0.1' }, me]);
    expect(out).toEqual([{ perms: 31, id: me }, { perms: 31, id: { scheme: 'world', id: 'anyone' } }]);
  });
});

describe('LastFixedACL', () => {
  const digest = { scheme: 'digest', id: generateDigest('u:p') };
  const world = (perms: number) => [{ perms, id: { scheme: 'world', id: 'anyone' } }];

  it('fixes up as fixupACL does, and hands out the same frozen result while the list stays the same', () => {
    const memo = new LastFixedACL();
    const a = memo.fix('/a', world(Perms.ALL), []);
    expect(a).toEqual(fixupACL('/a', world(Perms.ALL), []));
    expect(Object.isFrozen(a) && Object.isFrozen(a[0]) && Object.isFrozen(a[0].id)).toBe(true);
    expect(memo.fix('/b', world(Perms.ALL), [])).toBe(a);
    // a list the caller changed after passing it is a new list, not the one remembered
    const mine = world(Perms.READ);
    const r = memo.fix('/c', mine, []);
    expect(r).toEqual(world(Perms.READ));
    mine[0].perms = Perms.ALL;
    expect(memo.fix('/d', mine, [])).toEqual(world(Perms.ALL));
    const repeated = [...world(Perms.ALL), ...world(Perms.ALL)];
    expect(memo.fix('/e', repeated, [])).toEqual(world(Perms.ALL));
  });

  it('does not remember a list with an auth entry (its result is the caller\'s identities) and still rejects bad lists', () => {
    const memo = new LastFixedACL();
    const auth = [{ perms: Perms.ALL, id: { scheme: 'auth', id: '' } }];
    expect(memo.fix('/a', auth, [digest])).toEqual([{ perms: Perms.ALL, id: digest }]);
    const other = { scheme: 'digest', id: generateDigest('v:q') };
    expect(memo.fix('/a', auth, [other])).toEqual([{ perms: Perms.ALL, id: other }]);
    expect(() => memo.fix('/a', auth, [])).toThrow(expect.objectContaining({ code: ZooErrorCode.INVALIDACL }));
    memo.fix('/a', world(Perms.ALL), []);
    expect(() => memo.fix('/a', [], [])).toThrow(expect.objectContaining({ code: ZooErrorCode.INVALIDACL }));
    expect(() => memo.fix('/a', [{ perms: Perms.ALL, id: { scheme: 'world', id: 'someone' } }], [])).toThrow(expect.objectContaining({ code: ZooErrorCode.INVALIDACL }));
  });
});
