import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpCode } from '@zoo/core';
import { parseZooCfg, serverOptionsFromConfig, ZooServer } from '../src/index.js';
import { RawClient } from './raw-client.js';

/**
 * A zoo.cfg with ZooKeeper's ssl.* keys (a PEM keystore holding key and certificate, a PEM trust
 * store) opens the secure client port; a client certificate's subject is the connection's x509
 * identity.
 */
function makeCerts(dir: string) {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=Zoo Server Test CA');
  for (const [name, subj, ext] of [
    ['server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1'],
    ['client', '/O=Zoo/CN=billing', 'extendedKeyUsage=clientAuth'],
  ]) {
    run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subj);
    writeFileSync(join(dir, `${name}.ext`), ext);
    run('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '1', '-extfile', `${name}.ext`);
  }
  const read = (f: string) => readFileSync(join(dir, f));
  // ZooKeeper's PEM keystore: private key and certificate in one file
  writeFileSync(join(dir, 'keystore.pem'), Buffer.concat([read('server.key'), read('server.crt')]));
  return { ca: read('ca.pem'), clientKey: read('client.key'), clientCert: read('client.crt') };
}

function opensslAvailable(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    console.warn('!! openssl not found: skipping the TLS test');
    return false;
  }
}

describe.runIf(opensslAvailable())('TLS client port from zoo.cfg', () => {
  let dir: string;
  let server: ZooServer;
  let certs: ReturnType<typeof makeCerts>;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zoo-server-tls-'));
    certs = makeCerts(dir);
    const cfg = parseZooCfg(`clientPort=0\nsecureClientPort=0\nssl.keyStore.location=${join(dir, 'keystore.pem')}\nssl.trustStore.location=${join(dir, 'ca.pem')}\n`);
    server = await ZooServer.start({ ...serverOptionsFromConfig(cfg), host: '127.0.0.1', port: 0 });
  }, 30_000);
  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('serves a client with a certificate; its subject is an x509 identity', async () => {
    const c = await RawClient.open(server.securePort!, {}, { ca: certs.ca, key: certs.clientKey, cert: certs.clientCert });
    try {
      const me = await c.send({ op: OpCode.whoAmI });
      expect((me.response as { clientInfo: Array<{ authScheme: string; user: string }> }).clientInfo).toContainEqual({ authScheme: 'x509', user: 'CN=billing,O=Zoo' });
    } finally {
      await c.close();
    }
  });

  it('refuses a client without a certificate (ssl.clientAuth defaults to need)', async () => {
    await expect(RawClient.open(server.securePort!, {}, { ca: certs.ca })).rejects.toThrow(/certificate required|closed before the ConnectResponse|socket hang up|ECONNRESET/);
    // the plain port is unaffected
    const plain = await RawClient.open(server.port);
    expect((await plain.send({ op: OpCode.exists, path: '/', watch: false })).header.err).toBe(0);
    await plain.close();
  });
});
