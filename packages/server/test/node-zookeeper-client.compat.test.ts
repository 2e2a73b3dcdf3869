import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import zookeeper from 'node-zookeeper-client';
import { ZooServer } from '../src/index.js';

/** node-zookeeper-client (the 3.4-protocol npm client) works against ZooServer unchanged. */
type NzkClient = ReturnType<typeof zookeeper.createClient>;

const call = <T = unknown>(fn: (cb: (err: unknown, result: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => fn((err, result) => (err ? reject(err) : resolve(result as T))));

describe('node-zookeeper-client against ZooServer', () => {
  let server: ZooServer;
  let client: NzkClient;
  beforeAll(async () => {
    server = await ZooServer.start({ port: 0 });
    client = zookeeper.createClient(server.connectionString, { sessionTimeout: 10000, retries: 0 });
    await new Promise<void>((resolve) => {
      client.once('connected', () => resolve());
      client.connect();
    });
  });
  afterAll(async () => {
    client?.close();
    await server?.close();
  });

  it('creates, reads, updates and lists nodes', async () => {
    expect(await call<string>((cb) => client.create('/nzk', Buffer.from('one'), cb))).toBe('/nzk');
    const seq = await call<string>((cb) => client.create('/nzk/s-', Buffer.alloc(0), zookeeper.CreateMode.PERSISTENT_SEQUENTIAL, cb));
    expect(seq).toBe('/nzk/s-0000000000');
    const [data, stat] = await new Promise<[Buffer, { version: number }]>((resolve, reject) =>
      client.getData('/nzk', (err: unknown, d: Buffer, s: { version: number }) => (err ? reject(err) : resolve([d, s]))),
    );
    expect(data.toString()).toBe('one');
    expect(stat.version).toBe(0);
    const after = await call<{ version: number }>((cb) => client.setData('/nzk', Buffer.from('two'), 0, cb));
    expect(after.version).toBe(1);
    expect(await call<string[]>((cb) => client.getChildren('/nzk', cb))).toEqual(['s-0000000000']);
    const err = await call((cb) => client.setData('/nzk', Buffer.from('x'), 0, cb)).catch((e: { code: number }) => e.code);
    expect(err).toBe(zookeeper.Exception.BAD_VERSION);
  });

  it('delivers data and child watches', async () => {
    await call((cb) => client.create('/watched', cb));
    const dataEvent = new Promise<string>((resolve) => client.getData('/watched', (e) => resolve(e.getName()), () => {}));
    const childEvent = new Promise<string>((resolve) => client.getChildren('/watched', (e) => resolve(e.getName()), () => {}));
    await call((cb) => client.setData('/watched', Buffer.from('v'), -1, cb));
    await call((cb) => client.create('/watched/kid', cb));
    expect(await dataEvent).toBe('NODE_DATA_CHANGED');
    expect(await childEvent).toBe('NODE_CHILDREN_CHANGED');
  });

  it('runs transactions atomically', async () => {
    const results = await call<Array<{ type: number }>>((cb) => client.transaction().create('/tx').create('/tx/a').setData('/tx', Buffer.from('d'), -1).commit(cb));
    expect(results).toHaveLength(3);
    const failed = await call((cb) => client.transaction().create('/tx2').remove('/does-not-exist', -1).commit(cb)).catch((e: { code: number }) => e.code);
    expect(failed).toBe(zookeeper.Exception.NO_NODE);
    expect(await call((cb) => client.exists('/tx2', cb))).toBeNull();
  });

  it('applies digest ACLs', async () => {
    client.addAuthInfo('digest', Buffer.from('bob:pw'));
    const acl = [new zookeeper.ACL(zookeeper.Permission.ALL, new zookeeper.Id('auth', ''))];
    await call((cb) => client.create('/private', Buffer.from('s'), acl, zookeeper.CreateMode.PERSISTENT, cb));
    const got = await call<Array<{ id: { scheme: string; id: string } }>>((cb) => client.getACL('/private', cb));
    expect(got[0].id.scheme).toBe('digest');
    expect(got[0].id.id).toMatch(/^bob:/);

    const other = zookeeper.createClient(server.connectionString, { retries: 0 });
    await new Promise<void>((resolve) => {
      other.once('connected', () => resolve());
      other.connect();
    });
    const denied = await call((cb) => other.getData('/private', cb)).catch((e: { code: number }) => e.code);
    other.close();
    expect(denied).toBe(zookeeper.Exception.NO_AUTH);
  });
});
