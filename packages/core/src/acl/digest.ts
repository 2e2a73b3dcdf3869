import { createHash } from 'node:crypto';

/**
 * The digest scheme's id for "user:password": `user:BASE64(SHA1("user:password"))`
 * (DigestAuthenticationProvider.generateDigest). The hash covers the whole string, colon included.
 */
export function generateDigest(userPassword: string): string {
  const colon = userPassword.indexOf(':');
  const user = colon < 0 ? userPassword : userPassword.slice(0, colon);
  const hash = createHash('sha1').update(userPassword, 'utf8').digest('base64');
  return `${user}:${hash}`;
}

/** A digest id is valid when it splits on ':' into exactly two parts. */
export function isValidDigestId(id: string): boolean {
  return id.split(':').length === 2;
}
