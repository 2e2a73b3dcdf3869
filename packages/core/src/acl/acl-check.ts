import { ZooError, ZooErrorCode } from '../errors.js';
import type { ACL, Id } from '../protocol/records.js';
import { isValidDigestId } from './digest.js';
import { ipMatches, isValidIpId } from './ip.js';

/** Schemes whose identities count as authenticated for `auth` ACL entries (digest yes, ip no). */
const AUTHENTICATED_SCHEMES = new Set(['digest', 'x509', 'sasl']);

export function isSuper(authInfo: readonly Id[]): boolean {
  for (let i = 0; i < authInfo.length; i++) if (authInfo[i].scheme === 'super') return true;
  return false;
}

/**
 * ZooKeeper's ACL check: allowed when the list is empty, the caller is super, or some entry
 * carries one of `perm`'s bits and its id matches one of the caller's identities.
 */
export function checkACL(acl: readonly ACL[], perm: number, authInfo: readonly Id[]): boolean {
  if (acl.length === 0) return true;
  if (isSuper(authInfo)) return true;
  // (index loops: every request is checked, and for..of left an iterator behind here)
  for (let i = 0; i < acl.length; i++) {
    const entry = acl[i];
    if ((entry.perms & perm) === 0) continue;
    const { scheme, id } = entry.id;
    if (scheme === 'world' && id === 'anyone') return true;
    for (let j = 0; j < authInfo.length; j++) {
      const who = authInfo[j];
      if (who.scheme !== scheme) continue;
      if (scheme === 'ip' ? ipMatches(who.id, id) : who.id === id) return true;
    }
  }
  return false;
}

/**
 * Validates and expands an ACL for create/setACL (PrepRequestProcessor.fixupACL): duplicates
 * removed, `auth` entries replaced by the caller's authenticated identities, every id checked
 * against its scheme. Throws INVALIDACL naming the offending entry.
 */
export function fixupACL(path: string, acl: readonly ACL[] | null | undefined, authInfo: readonly Id[]): ACL[] {
  if (!acl || acl.length === 0) throw new ZooError(ZooErrorCode.INVALIDACL, 'INVALIDACL: the ACL list is empty', { path });
  const out: ACL[] = [];
  for (const entry of acl) {
    const { scheme, id } = entry.id;
    if (scheme === 'world') {
      if (id !== 'anyone') throw invalid(path, entry, 'world scheme only allows the id "anyone"');
      out.push(copyOf(entry.perms, entry.id));
    } else if (scheme === 'auth') {
      let any = false;
      for (const who of authInfo) {
        if (!AUTHENTICATED_SCHEMES.has(who.scheme)) continue;
        out.push(copyOf(entry.perms, who));
        any = true;
      }
      if (!any) throw invalid(path, entry, 'auth scheme used without an authenticated identity (addAuth first)');
    } else if (scheme === 'digest') {
      if (!isValidDigestId(id)) throw invalid(path, entry, 'digest id must be "user:base64(sha1(user:password))"');
      out.push(copyOf(entry.perms, entry.id));
    } else if (scheme === 'ip') {
      if (!isValidIpId(id)) throw invalid(path, entry, 'ip id must be an address or address/bits');
      out.push(copyOf(entry.perms, entry.id));
    } else if (scheme === 'x509' || scheme === 'sasl') {
      out.push(copyOf(entry.perms, entry.id));
    } else {
      throw invalid(path, entry, `unknown scheme "${scheme}"`);
    }
  }
  return out.length === 1 ? out : withoutRepeats(out);
}

function copyOf(perms: number, id: Id): ACL {
  return { perms, id: { scheme: id.scheme, id: id.id } };
}

/** The entries in order, each identical entry once (as ZooKeeper's fixupACL keeps them). */
function withoutRepeats(entries: ACL[]): ACL[] {
  const seen = new Set<string>();
  return entries.filter((e) => {
    const key = `${e.perms}\u0000${e.id.scheme}\u0000${e.id.id}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function invalid(path: string, entry: ACL, why: string): ZooError {
  return new ZooError(ZooErrorCode.INVALIDACL, `INVALIDACL: ${entry.id.scheme}:${entry.id.id}: ${why}`, { path });
}
