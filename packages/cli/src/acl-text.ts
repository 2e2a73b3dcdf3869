import { Perms, type ACL } from '@zoo/core';

const LETTERS: Array<[string, number]> = [['c', Perms.CREATE], ['d', Perms.DELETE], ['r', Perms.READ], ['w', Perms.WRITE], ['a', Perms.ADMIN]];

/** zkCli's ACL syntax: `scheme:id:perms`, comma separated (`world:anyone:cdrwa,digest:u:hash:r`). */
export function parseAcl(text: string): ACL[] {
  return text.split(',').map((entry) => {
    const first = entry.indexOf(':');
    const last = entry.lastIndexOf(':');
    if (first < 0 || last === first) throw new Error(`invalid ACL entry "${entry}" (expected scheme:id:perms)`);
    const letters = entry.slice(last + 1);
    let perms = 0;
    for (const ch of letters) {
      const p = LETTERS.find(([l]) => l === ch);
      if (!p) throw new Error(`invalid permission "${ch}" in "${entry}" (use c, d, r, w, a)`);
      perms |= p[1];
    }
    return { perms, id: { scheme: entry.slice(0, first), id: entry.slice(first + 1, last) } };
  });
}

export function formatAcl(acl: readonly ACL[]): string {
  return acl.map((a) => `${a.id.scheme}:${a.id.id}:${LETTERS.filter(([, bit]) => a.perms & bit).map(([l]) => l).join('')}`).join('\n');
}
