import type { ACL } from '../protocol/records.js';

/** Whether two ACL lists hold the same entries in the same order. */
export function sameACL(a: readonly ACL[], b: readonly ACL[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i].perms !== b[i].perms || a[i].id.scheme !== b[i].id.scheme || a[i].id.id !== b[i].id.id) return false;
  }
  return true;
}

/** A copy of an ACL list frozen through and through (the list, each entry, each id): safe to share. */
export function frozenACL(acl: readonly ACL[]): readonly ACL[] {
  return Object.freeze(acl.map((a) => Object.freeze({ perms: a.perms, id: Object.freeze({ scheme: a.id.scheme, id: a.id.id }) })));
}
