import { isIP } from 'node:net';

/**
 * The ip scheme: an ACL id is an address or `address/bits` (IPv4 or IPv6), matched against
 * the client's address bit by bit (IPAuthenticationProvider).
 */

function toBytes(address: string): Uint8Array | null {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) address = mapped[1];
  const kind = isIP(address);
  if (kind === 4) return Uint8Array.from(address.split('.').map(Number));
  if (kind !== 6) return null;
  const [head, tail = ''] = address.split('::');
  const parse = (s: string) => (s ? s.split(':') : []);
  let headParts = parse(head);
  let tailParts = address.includes('::') ? parse(tail) : [];
  // an embedded IPv4 tail ("::1.2.3.4") is two groups
  const expand = (parts: string[]) =>
    parts.flatMap((p) => {
      if (!p.includes('.')) return [p];
      const b = p.split('.').map(Number);
      return [((b[0] << 8) | b[1]).toString(16), ((b[2] << 8) | b[3]).toString(16)];
    });
  headParts = expand(headParts);
  tailParts = expand(tailParts);
  const missing = 8 - headParts.length - tailParts.length;
  const groups = [...headParts, ...Array<string>(Math.max(0, missing)).fill('0'), ...tailParts];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return out;
}

function parseIpAcl(id: string): { bytes: Uint8Array; bits: number } | null {
  const slash = id.indexOf('/');
  const address = slash < 0 ? id : id.slice(0, slash);
  const bytes = toBytes(address);
  if (!bytes) return null;
  let bits = bytes.length * 8;
  if (slash >= 0) {
    const text = id.slice(slash + 1);
    if (!/^\d+$/.test(text)) return null;
    bits = Number(text);
    if (bits > bytes.length * 8) return null;
  }
  return { bytes, bits };
}

export function isValidIpId(id: string): boolean {
  return parseIpAcl(id) !== null;
}

/** Does the client address match the ACL id (`address` or `address/bits`)? */
export function ipMatches(clientAddress: string, aclId: string): boolean {
  const acl = parseIpAcl(aclId);
  const client = toBytes(clientAddress);
  if (!acl || !client || acl.bytes.length !== client.length) return false;
  let bits = acl.bits;
  for (let i = 0; i < client.length && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((client[i] & mask) !== (acl.bytes[i] & mask)) return false;
  }
  return true;
}
