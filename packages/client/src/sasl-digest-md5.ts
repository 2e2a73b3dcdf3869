import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The client side of SASL DIGEST-MD5 (RFC 2831, qop=auth only), as ZooKeeper's Java client
 * runs it against a server with a JAAS DigestLoginModule: protocol "zookeeper", server name
 * "zk-sasl-md5". `evaluate()` takes each server token and returns the next one to send, or
 * null once the server has proven it knows the password too (rspauth).
 */
export class DigestMd5Client {
  private step = 0;
  private expectedRspauth?: string;
  private done = false;

  constructor(
    private readonly username: string,
    private readonly password: string,
    private readonly options: { protocol?: string; serverName?: string; cnonce?: string } = {},
  ) {}

  /** The first token: DIGEST-MD5 has no initial response, so it is empty. */
  initial(): Buffer {
    return Buffer.alloc(0);
  }

  get complete(): boolean {
    return this.done;
  }

  evaluate(token: Buffer): Buffer | null {
    if (this.step === 0) {
      this.step = 1;
      return this.respond(parseDirectives(token.toString('utf8')));
    }
    if (this.step === 1) {
      this.step = 2;
      const rspauth = parseDirectives(token.toString('utf8')).get('rspauth');
      const expected = Buffer.from(this.expectedRspauth ?? '');
      if (!rspauth || rspauth.length !== expected.length || !timingSafeEqual(Buffer.from(rspauth), expected)) {
        throw new Error('DIGEST-MD5: the server could not prove it knows the password (rspauth mismatch)');
      }
      this.done = true;
      return null;
    }
    throw new Error('DIGEST-MD5: unexpected token after authentication completed');
  }

  private respond(challenge: Map<string, string>): Buffer {
    const nonce = challenge.get('nonce');
    if (!nonce) throw new Error('DIGEST-MD5: the challenge has no nonce');
    const qops = (challenge.get('qop') ?? 'auth').split(',').map((q) => q.trim());
    if (!qops.includes('auth')) throw new Error(`DIGEST-MD5: the server offers qop ${qops.join(',')}, only auth is supported`);
    const algorithm = challenge.get('algorithm');
    if (algorithm !== 'md5-sess') throw new Error(`DIGEST-MD5: algorithm must be md5-sess, not ${algorithm ?? 'missing'}`);
    const utf8 = challenge.get('charset')?.toLowerCase() === 'utf-8';
    const encoding: BufferEncoding = utf8 ? 'utf8' : 'latin1';
    const realm = (challenge.get('realm') ?? this.options.serverName ?? 'zk-sasl-md5').split(',')[0];
    const cnonce = this.options.cnonce ?? randomBytes(24).toString('base64');
    const nc = '00000001';
    const digestUri = `${this.options.protocol ?? 'zookeeper'}/${this.options.serverName ?? 'zk-sasl-md5'}`;
    const md5 = (...parts: Array<Buffer | string>) => {
      const h = createHash('md5');
      for (const p of parts) h.update(typeof p === 'string' ? Buffer.from(p, encoding) : p);
      return h.digest();
    };
    const hex = (b: Buffer) => b.toString('hex');
    // A1 = H(user:realm:password) : nonce : cnonce — the inner hash stays binary
    const ha1 = hex(md5(md5(`${this.username}:${realm}:${this.password}`), `:${nonce}:${cnonce}`));
    const kd = (a2: string) => hex(md5(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${hex(md5(a2))}`));
    this.expectedRspauth = kd(`:${digestUri}`);
    const directives = [
      utf8 ? 'charset=utf-8' : undefined,
      `username="${quote(this.username)}"`,
      `realm="${quote(realm)}"`,
      `nonce="${quote(nonce)}"`,
      `nc=${nc}`,
      `cnonce="${quote(cnonce)}"`,
      `digest-uri="${quote(digestUri)}"`,
      'maxbuf=65536',
      `response=${kd(`AUTHENTICATE:${digestUri}`)}`,
      'qop=auth',
    ].filter((d) => d !== undefined);
    return Buffer.from(directives.join(','), encoding);
  }
}

function quote(value: string): string {
  return value.replace(/(["\\])/g, '\\$1');
}

/** `key=value` or `key="quoted, \"escaped\""` directives, comma separated (RFC 2831 §7.1). */
export function parseDirectives(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < text.length) {
    while (i < text.length && (text[i] === ',' || text[i] === ' ' || text[i] === '\t')) i++;
    const eq = text.indexOf('=', i);
    if (eq < 0) break;
    const key = text.slice(i, eq).trim().toLowerCase();
    i = eq + 1;
    let value = '';
    if (text[i] === '"') {
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        value += text[i++];
      }
      i++; // closing quote
    } else {
      const end = text.indexOf(',', i);
      value = (end < 0 ? text.slice(i) : text.slice(i, end)).trim();
      i = end < 0 ? text.length : end;
    }
    // a repeated realm lists alternatives; keep them all
    out.set(key, out.has(key) && key === 'realm' ? `${out.get(key)},${value}` : value);
  }
  return out;
}
