/**
 * Curator's node naming: a protected sequential node is `_c_<uuid>-<lockName><10 digits>`, and
 * nodes are ordered by the digits after the lock name, never by the whole name (the uuid
 * would scramble the order).
 */
export const PROTECTED_PREFIX = '_c_';

export function protectedName(uuid: string, lockName: string): string {
  return `${PROTECTED_PREFIX}${uuid}-${lockName}`;
}

/** The part a node sorts by: what follows the last of `lockNames` found in it, else the name. */
export function sortKey(node: string, lockNames: readonly string[]): string {
  let key = node;
  for (const name of lockNames) {
    const i = key.lastIndexOf(name);
    if (i >= 0) key = key.slice(i + name.length);
  }
  return key;
}

export function sortBySequence(children: readonly string[], lockNames: readonly string[]): string[] {
  return [...children].sort((a, b) => {
    const ka = sortKey(a, lockNames);
    const kb = sortKey(b, lockNames);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}

/** The sequence number of a node (-1 if it has none). */
export function sequenceOf(node: string): number {
  const m = /(-\d{9}|\d{10})$/.exec(node);
  return m ? Number(m[1]) : -1;
}
