import { Perms } from '../protocol/opcodes.js';
import type { ACL, Id } from '../protocol/records.js';

/** ZooDefs.Ids: the well-known ids and ACLs. */
export const ANYONE_ID_UNSAFE: Id = Object.freeze({ scheme: 'world', id: 'anyone' });
/** Placeholder replaced by the caller's authenticated identities on create/setACL. */
export const AUTH_IDS: Id = Object.freeze({ scheme: 'auth', id: '' });
export const OPEN_ACL_UNSAFE: readonly ACL[] = Object.freeze([{ perms: Perms.ALL, id: ANYONE_ID_UNSAFE }]);
export const CREATOR_ALL_ACL: readonly ACL[] = Object.freeze([{ perms: Perms.ALL, id: AUTH_IDS }]);
export const READ_ACL_UNSAFE: readonly ACL[] = Object.freeze([{ perms: Perms.READ, id: ANYONE_ID_UNSAFE }]);
