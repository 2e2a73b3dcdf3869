import { pathProblem } from './validate-path.js';

/**
 * Chroot helpers (purely client-side in ZooKeeper): the client prefixes every outgoing path
 * with the chroot and strips it from paths the server sends back.
 */

/** Normalizes a chroot: "" and "/" mean none (returns ""); otherwise it must be a valid path. */
export function normalizeChroot(chroot: string | undefined): string {
  if (!chroot || chroot === '/') return '';
  const problem = pathProblem(chroot);
  if (problem) throw new Error(`invalid chroot "${chroot}": ${problem}`);
  return chroot;
}

/** Client path → server path: "/" maps to the chroot itself. */
export function prependChroot(chroot: string, path: string): string {
  if (!chroot) return path;
  return path === '/' ? chroot : chroot + path;
}

/**
 * Server path → client path. The chroot itself becomes "/"; a path outside the chroot (such
 * as /zookeeper/config) is returned unchanged.
 */
export function stripChroot(chroot: string, serverPath: string): string {
  if (!chroot) return serverPath;
  if (serverPath === chroot) return '/';
  if (serverPath.startsWith(chroot) && serverPath.charCodeAt(chroot.length) === 0x2f) return serverPath.slice(chroot.length);
  return serverPath;
}
