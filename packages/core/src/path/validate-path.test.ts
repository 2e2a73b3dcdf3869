import { describe, expect, it } from 'vitest';
import { ZooError, ZooErrorCode } from '../errors.js';
import { normalizeChroot, prependChroot, stripChroot } from './chroot.js';
import { baseName, joinPath, parentPath, pathProblem, validatePath } from './validate-path.js';

describe('path validation (ZooKeeper PathUtils rules)', () => {
  it.each(['/', '/a', '/a/b', '/a b', '/a.b', '/.a', '/a..', '/zookeeper2', '/ü', '/a/.../b'])('accepts %j', (p) => {
    expect(pathProblem(p)).toBeNull();
  });

  it.each([
    ['', /empty/],
    ['a', /start with \//],
    ['/a/', /end with \//],
    ['//a', /empty node name/],
    ['/a//b', /empty node name/],
    ['/.', /relative/],
    ['/a/..', /relative/],
    ['/a/./b', /relative/],
    ['/a\u0000b', /null character/],
    ['/a\u0001', /invalid character \\u0001/],
    ['/a\u007f', /invalid character/],
    ['/a\u009f', /invalid character/],
    ['/a\ud800', /invalid character/],
    ['/a\uf8ff', /invalid character/],
    ['/a\ufff0', /invalid character/],
  ])('rejects %j', (p, why) => {
    expect(pathProblem(p)).toMatch(why);
  });

  it('checks sequential prefixes as path + "1", so a trailing slash is fine', () => {
    expect(pathProblem('/queue/', true)).toBeNull();
    expect(pathProblem('/queue/item-', true)).toBeNull();
    expect(pathProblem('/queue//', true)).toMatch(/empty/);
    expect(pathProblem('/queue/.', true)).toBeNull(); // ".1" is a fine name
  });

  it('throws a BADARGUMENTS ZooError that names the path', () => {
    try {
      validatePath('/a//b');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ZooError);
      expect((err as ZooError).code).toBe(ZooErrorCode.BADARGUMENTS);
      expect((err as ZooError).path).toBe('/a//b');
      expect((err as ZooError).message).toContain('empty node name');
    }
  });

  it('splits and joins paths', () => {
    expect(parentPath('/a/b/c')).toBe('/a/b');
    expect(parentPath('/a')).toBe('/');
    expect(baseName('/a/b')).toBe('b');
    expect(joinPath('/', 'a')).toBe('/a');
    expect(joinPath('/a', 'b')).toBe('/a/b');
  });
});

describe('chroot', () => {
  it('normalizes', () => {
    expect(normalizeChroot('/')).toBe('');
    expect(normalizeChroot(undefined)).toBe('');
    expect(normalizeChroot('/app')).toBe('/app');
    expect(() => normalizeChroot('/app/')).toThrow(/invalid chroot/);
  });

  it('prepends and strips', () => {
    expect(prependChroot('/app', '/')).toBe('/app');
    expect(prependChroot('/app', '/x')).toBe('/app/x');
    expect(prependChroot('', '/x')).toBe('/x');
    expect(stripChroot('/app', '/app')).toBe('/');
    expect(stripChroot('/app', '/app/x/y')).toBe('/x/y');
    expect(stripChroot('/app', '/apple')).toBe('/apple');
    expect(stripChroot('/app', '/zookeeper/config')).toBe('/zookeeper/config');
  });
});
