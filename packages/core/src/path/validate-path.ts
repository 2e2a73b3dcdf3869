import { ZooError, ZooErrorCode } from '../errors.js';

/**
 * ZooKeeper's path rules (PathUtils.validatePath), returning which rule broke, or null when
 * the path is valid. A sequential create is checked as `path + "1"`, as ZooKeeper does, since
 * the server appends the suffix (so "/queue/" is a valid sequential prefix).
 */
export function pathProblem(path: unknown, sequential = false): string | null {
  if (typeof path !== 'string') return 'path must be a string';
  if (sequential) path = `${path}1`;
  const p = path as string;
  if (p.length === 0) return 'path must not be empty';
  if (p.charCodeAt(0) !== 0x2f) return `path must start with / (got "${p}")`;
  if (p.length === 1) return null;
  if (p.charCodeAt(p.length - 1) === 0x2f) return `path must not end with / (got "${p}")`;
  let segmentStart = 1;
  for (let i = 1; i <= p.length; i++) {
    const c = i < p.length ? p.charCodeAt(i) : 0x2f;
    if (c === 0x2f) {
      const len = i - segmentStart;
      if (len === 0) return `empty node name at index ${i} (got "${p}")`;
      if (p.charCodeAt(segmentStart) === 0x2e && (len === 1 || (len === 2 && p.charCodeAt(segmentStart + 1) === 0x2e)))
        return `relative path segment "${p.slice(segmentStart, i)}" at index ${segmentStart} (got "${p}")`;
      segmentStart = i + 1;
    } else if (c === 0) {
      return `null character at index ${i}`;
    } else if (c <= 0x1f || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xf8ff) || c >= 0xfff0) {
      return `invalid character \\u${c.toString(16).padStart(4, '0')} at index ${i}`;
    }
  }
  return null;
}

/** Throws ZooError(BADARGUMENTS) naming what is wrong with the path. */
export function validatePath(path: string, sequential = false): void {
  const problem = pathProblem(path, sequential);
  if (problem) throw new ZooError(ZooErrorCode.BADARGUMENTS, `invalid path: ${problem}`, { path });
}

/** The parent of an absolute path: "/a/b" → "/a", "/a" → "/". */
export function parentPath(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** The last segment of a path: "/a/b" → "b", "/" → "". */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Joins a parent and a child name: ("/", "a") → "/a", ("/a", "b") → "/a/b". */
export function joinPath(parent: string, child: string): string {
  return parent === '/' ? `/${child}` : `${parent}/${child}`;
}
