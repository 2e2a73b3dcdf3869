import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireZooKeeper, startZooKeeper, until, type ZooKeeperEnsemble } from '@zoo/zookeeper';
import { Perms, ZooClient, ZooErrorCode } from '../src/index.js';

/**
 * SASL DIGEST-MD5 against a real ZooKeeper whose JAAS `Server` section is a DigestLoginModule
 * (the JAAS file reaches the JVM through JDK_JAVA_OPTIONS, which the java launcher reads).
 */
describe.runIf(requireZooKeeper('client SASL against Apache ZooKeeper'))('SASL DIGEST-MD5 against Apache ZooKeeper', () => {
  let zk: ZooKeeperEnsemble;
  let dir: string;
  const clients: ZooClient[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zoo-sasl-'));
    const jaas = join(dir, 'jaas.conf');
    writeFileSync(jaas, 'Server {\n  org.apache.zookeeper.server.auth.DigestLoginModule required\n  user_bob="bob-secret"\n  user_eve="eve-secret";\n};\n');
    const before = process.env.JDK_JAVA_OPTIONS;
    process.env.JDK_JAVA_OPTIONS = `-Djava.security.auth.login.config=${jaas}`;
    try {
      zk = await startZooKeeper({ tickTime: 500, extraConfig: { 'authProvider.1': 'org.apache.zookeeper.server.auth.SASLAuthenticationProvider' } });
    } finally {
      if (before === undefined) delete process.env.JDK_JAVA_OPTIONS;
      else process.env.JDK_JAVA_OPTIONS = before;
    }
  }, 60_000);
  afterAll(async () => {
    for (const c of clients) await c.close();
    await zk?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const open = async (sasl?: { username: string; password: string }) => {
    const c = await ZooClient.connect(zk.connectionString, { sessionTimeout: 6000, sasl });
    clients.push(c);
    return c;
  };

  it('authenticates before any request, on every connection; the sasl identity passes ACLs', async () => {
    const bob = await open({ username: 'bob', password: 'bob-secret' });
    expect(await bob.whoAmI()).toContainEqual({ authScheme: 'sasl', user: 'bob' });
    await bob.create('/bobs', 'private', { acl: [{ perms: Perms.ALL, id: { scheme: 'sasl', id: 'bob' } }] });
    const anonymous = await open();
    await expect(anonymous.getData('/bobs')).rejects.toMatchObject({ code: ZooErrorCode.NOAUTH });
    const eve = await open({ username: 'eve', password: 'eve-secret' });
    await expect(eve.getData('/bobs')).rejects.toMatchObject({ code: ZooErrorCode.NOAUTH });
    // a new connection (same session) authenticates again before the request goes out
    const sessionId = bob.sessionId;
    const states: string[] = [];
    bob.on('state', (state) => states.push(state));
    bob.dropConnection();
    await until(() => states.includes('connected'), 10_000, 'reconnected');
    expect(states).toEqual(['disconnected', 'connected']);
    expect(bob.sessionId).toBe(sessionId);
    expect((await bob.getData('/bobs')).data?.toString()).toBe('private');
  });

  it('a wrong password ends in authFailed, and connect() says so', async () => {
    const wrong = new ZooClient(zk.connectionString, { sessionTimeout: 6000, sasl: { username: 'bob', password: 'guess' } });
    clients.push(wrong);
    await expect(wrong.connect()).rejects.toMatchObject({ code: ZooErrorCode.AUTHFAILED, message: expect.stringContaining('SASL DIGEST-MD5 authentication failed') });
    expect(wrong.state).toBe('authFailed');
    await expect(wrong.exists('/')).rejects.toMatchObject({ code: ZooErrorCode.AUTHFAILED });
  });
});
