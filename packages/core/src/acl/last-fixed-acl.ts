import type { ACL, Id } from '../protocol/records.js';
import { fixupACL } from './acl-check.js';
import { frozenACL, sameACL } from './acl-lists.js';

/**
 * fixupACL with a memory of one: nearly every create carries the same ACL as the one before,
 * and fixing it up again made a new list, entries and ids each time. While a list equals the
 * last one entry for entry, the last result (frozen, shared) is handed out again — unless that
 * list had an `auth` entry, whose result depends on who asks.
 */
export class LastFixedACL {
  /** A frozen copy of the last list fixed up (not the caller's: it may change it), and its result. */
  private input: readonly ACL[] | null = null;
  private output: readonly ACL[] | null = null;

  fix(path: string, acl: readonly ACL[] | null | undefined, authInfo: readonly Id[]): readonly ACL[] {
    if (acl && this.input !== null && sameACL(acl, this.input)) return this.output!;
    const fixed = fixupACL(path, acl, authInfo);
    // (fixupACL threw for a missing or empty list)
    if (acl!.some((a) => a.id.scheme === 'auth')) {
      this.input = this.output = null;
      return fixed;
    }
    this.input = frozenACL(acl!);
    this.output = frozenACL(fixed);
    return this.output;
  }
}
