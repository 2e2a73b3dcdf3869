import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooServer } from '@zoo/server';
import { Perms, ZooClient, ZooErrorCode } from '../src/index.js';

/** Certificates made for this test with openssl: a CA, a server cert for 127.0.0.1, a client cert. */
function makeCerts(dir: string) {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=Zoo Test CA');
  for (const [name, subj, ext] of [
    ['server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1'],
    ['client', '/C=US/O=Zoo/CN=orders-service', 'extendedKeyUsage=clientAuth'],
  ]) {
    run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subj);
    execFileSync('bash', ['-c', `printf '%s' '${ext}' > ${name}.ext`], { cwd: dir });
    run('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '1', '-extfile', `${name}.ext`);
  }
  const read = (f: string) => readFileSync(join(dir, f));
  return { ca: read('ca.crt'), serverKey: read('server.key'), serverCert: read('server.crt'), clientKey: read('client.key'), clientCert: read('client.crt') };
}

describe('TLS (secureClientPort) with client certificates', () => {
  let dir: string;
  let server: ZooServer;
  let certs: ReturnType<typeof makeCerts>;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zoo-tls-'));
    certs = makeCerts(dir);
    server = await ZooServer.start({
      port: 0,
      secureClientPort: 0,
      tls: { key: certs.serverKey, cert: certs.serverCert, ca: certs.ca, requestCert: true, rejectUnauthorized: true },
    });
  }, 30_000);
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves TLS clients; the certificate subject becomes an x509 identity usable in ACLs', async () => {
    const client = await ZooClient.connect(`127.0.0.1:${server.securePort}`, { tls: { ca: certs.ca, key: certs.clientKey, cert: certs.clientCert } });
    try {
      const me = await client.whoAmI();
      expect(me).toContainEqual({ authScheme: 'x509', user: 'CN=orders-service,O=Zoo,C=US' });
      await client.create('/tls-only', 'secret', { acl: [{ perms: Perms.ALL, id: { scheme: 'x509', id: 'CN=orders-service,O=Zoo,C=US' } }] });
      expect((await client.getData('/tls-only')).data?.toString()).toBe('secret');
      const plain = await ZooClient.connect(server.connectionString);
      await expect(plain.getData('/tls-only')).rejects.toMatchObject({ code: ZooErrorCode.NOAUTH });
      await plain.close();
    } finally {
      await client.close();
    }
  });

  it('refuses a TLS client without a certificate', async () => {
    await expect(ZooClient.connect(`127.0.0.1:${server.securePort}`, { tls: { ca: certs.ca }, connectTimeout: 1500 })).rejects.toMatchObject({ code: ZooErrorCode.CONNECTIONLOSS });
  });
});
