import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, open, readdir, rm, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpCode, OPEN_ACL_UNSAFE, generateDigest, type ACL, type Request, type Stat } from '@zoo/core';
import { requireZooKeeper, startZooKeeper, type ZooKeeperEnsemble } from '@zoo/zookeeper';
import { ZooServer, importZooKeeper, exportZooKeeper, ZooKeeperFormatError } from '../src/index.js';
import { RawClient } from './raw-client.js';

/**
 * Migration both ways with data a real Apache ZooKeeper wrote: every kind of node, ACLs,
 * deletes, multi (committed and failed) and logs over several files (snapCount=10). After
 * `zoo-server import-zookeeper` (the built bin) ZooServer serves exactly what the same
 * ZooKeeper serves on restart; after `export-zookeeper` a real ZooKeeper started on the
 * snapshot serves exactly what ZooServer served.
 */
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const run = promisify(execFile);
const EPHEMERAL = 1;
const SEQUENTIAL = 2;
const TTL = 5; // CreateMode.PERSISTENT_WITH_TTL

interface NodeDump {
  data: string | null;
  acl: ACL[];
  stat: Stat;
}

async function ok(client: RawClient, request: Request) {
  const reply = await client.send(request);
  if (reply.header.err !== 0 && request.op !== OpCode.multi) throw new Error(`${OpCode[request.op]} ${'path' in request ? request.path : ''} failed with ${reply.header.err}`);
  return reply;
}

/** Every node under `root` (the /zookeeper subtree aside: each server describes itself there). */
async function dump(port: number): Promise<Map<string, NodeDump>> {
  const client = await RawClient.open(port);
  await ok(client, { op: OpCode.auth, type: 0, scheme: 'digest', auth: Buffer.from('ops:secret') });
  const out = new Map<string, NodeDump>();
  const walk = async (path: string): Promise<void> => {
    const data = await ok(client, { op: OpCode.getData, path, watch: false });
    const acl = await ok(client, { op: OpCode.getACL, path });
    const kids = await ok(client, { op: OpCode.getChildren2, path, watch: false });
    const d = data.response as { data: Buffer | null; stat: Stat };
    out.set(path, { data: d.data === null ? null : d.data.toString('hex'), acl: (acl.response as { acl: ACL[] }).acl, stat: d.stat });
    for (const child of (kids.response as { children: string[] }).children.sort()) {
      const p = path === '/' ? `/${child}` : `${path}/${child}`;
      if (p !== '/zookeeper') await walk(p);
    }
  };
  await walk('/');
  await client.close();
  return out;
}

const digestAcl: ACL[] = [{ perms: 31, id: { scheme: 'digest', id: generateDigest('ops:secret') } }];
const open_ = [...OPEN_ACL_UNSAFE];

/** A workload touching every txn type the importer reads; the `keep` session stays open (its ephemeral survives the kill). */
async function workload(port: number): Promise<RawClient> {
  const c = await RawClient.open(port, { timeOut: 30_000 });
  await ok(c, { op: OpCode.auth, type: 0, scheme: 'digest', auth: Buffer.from('ops:secret') });
  const create = (path: string, data: string | null, flags = 0, acl = open_) => ok(c, { op: OpCode.create, path, data: data === null ? null : Buffer.from(data), acl, flags });
  await create('/app', 'root of the app');
  await create('/app/config', '{"a":1}');
  for (let i = 0; i < 3; i++) await ok(c, { op: OpCode.setData, path: '/app/config', data: Buffer.from(`{"a":${i + 2}}`), version: -1 });
  await create('/app/null', null);
  await create('/app/secret', 'only ops', 0, digestAcl);
  await ok(c, { op: OpCode.setACL, path: '/app/config', acl: [{ perms: 1, id: { scheme: 'world', id: 'anyone' } }, ...digestAcl], version: -1 });
  await create('/app/jobs', '');
  for (let i = 0; i < 6; i++) await create('/app/jobs/job-', `job ${i}`, SEQUENTIAL);
  await ok(c, { op: OpCode.delete, path: '/app/jobs/job-0000000002', version: -1 });
  await ok(c, { op: OpCode.createContainer, path: '/app/locks', data: null, acl: open_, flags: 4 });
  await create('/app/locks/lock-', '', SEQUENTIAL);
  await ok(c, { op: OpCode.createTTL, path: '/app/lease', data: Buffer.from('ttl'), acl: open_, flags: TTL, ttl: 3_600_000n });
  await create('/app/members', '');
  await create('/app/members/me', 'ephemeral', EPHEMERAL);
  await ok(c, {
    op: OpCode.multi,
    ops: [
      { op: OpCode.create, path: '/app/multi', data: Buffer.from('m'), acl: open_, flags: 0 },
      { op: OpCode.setData, path: '/app/multi', data: Buffer.from('m2'), version: 0 },
      { op: OpCode.create, path: '/app/multi/child', data: null, acl: open_, flags: 0 },
      { op: OpCode.delete, path: '/app/multi/child', version: -1 },
    ],
  });
  const failed = await c.send({
    op: OpCode.multi,
    ops: [
      { op: OpCode.create, path: '/app/never', data: null, acl: open_, flags: 0 },
      { op: OpCode.check, path: '/app/config', version: 99 },
    ],
  });
  expect((failed.response as { results: Array<{ err: number }> }).results.some((r) => r.err !== 0)).toBe(true);
  // a short-lived session whose ephemeral goes with its closeSession txn
  const brief = await RawClient.open(port);
  await ok(brief, { op: OpCode.create, path: '/app/members/brief', data: null, acl: open_, flags: EPHEMERAL });
  await ok(brief, { op: OpCode.closeSession });
  await brief.close();
  for (let i = 0; i < 30; i++) await create(`/app/bulk-${i}`, 'x'.repeat(i * 10));
  for (let i = 0; i < 30; i += 3) await ok(c, { op: OpCode.delete, path: `/app/bulk-${i}`, version: -1 });
  return c;
}

async function files(dir: string, prefix: string): Promise<string[]> {
  const zxid = (name: string) => BigInt(`0x${name.split('.')[1]}`);
  return (await readdir(join(dir, 'version-2'))).filter((n) => n.startsWith(prefix)).sort((a, b) => (zxid(a) < zxid(b) ? -1 : 1));
}

const enabled = requireZooKeeper('zookeeper migration');

describe.runIf(enabled)('migration between Apache ZooKeeper and Zoo', () => {
  let zk: ZooKeeperEnsemble;
  let work: string;
  let zkCopy: string;
  let zkView: Map<string, NodeDump>;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'zoo-migrate-'));
    zk = await startZooKeeper({ extraConfig: { snapCount: '10', preAllocSize: '16' } });
    const node = zk.nodes[0];
    const keeper = await workload(node.clientPort);
    // a crash while the `keeper` session holds its ephemeral
    await node.kill('SIGKILL');
    await keeper.close();
    zkCopy = join(work, 'zk-copy');
    await cp(node.dataDir, zkCopy, { recursive: true });
    await node.start();
    zkView = await dump(node.clientPort);
  }, 120_000);

  afterAll(async () => {
    await zk?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('ZooKeeper wrote several logs and snapshots (the input is what the test claims)', async () => {
    expect((await files(zkCopy, 'log.')).length).toBeGreaterThan(2);
    expect((await files(zkCopy, 'snapshot.')).length).toBeGreaterThan(1);
    expect(zkView.get('/app/members/me')?.stat.ephemeralOwner).not.toBe(0n);
    expect(zkView.has('/app/members/brief')).toBe(false);
  });

  it('import-zookeeper (the built bin): ZooServer serves every node, ACL and Stat as ZooKeeper does; export back: ZooKeeper serves the same', async () => {
    const dataDir = join(work, 'zoo-data');
    const { stdout } = await run(process.execPath, [bin, 'import-zookeeper', zkCopy, '--data-dir', dataDir]);
    expect(stdout).toMatch(/imported \d+ znodes and 1 sessions up to zxid 0x[0-9a-f]+/);

    let server = await ZooServer.start({ port: 0, dataDir });
    const zooView = await dump(server.port);
    expect([...zooView.keys()]).toEqual([...zkView.keys()]);
    for (const [path, expected] of zkView) expect({ path, ...zooView.get(path) }).toEqual({ path, ...expected });

    // the sequence counters carried over: the next sequential name is the one ZooKeeper gives
    const next = async (port: number) => {
      const c = await RawClient.open(port);
      const r = await ok(c, { op: OpCode.create, path: '/app/jobs/job-', data: null, acl: open_, flags: SEQUENTIAL });
      await c.close();
      return (r.response as { path: string }).path;
    };
    const zooNext = await next(server.port);
    expect(zooNext).toBe('/app/jobs/job-0000000006');
    await server.close();

    // export: a fresh ZooKeeper's data dir replaced by the exported snapshot
    const target = await startZooKeeper();
    try {
      const node = target.nodes[0];
      await node.kill('SIGKILL');
      await rm(join(node.dataDir, 'version-2'), { recursive: true, force: true });
      const out = await run(process.execPath, [bin, 'export-zookeeper', node.dataDir, '--data-dir', dataDir]);
      expect(out.stdout).toMatch(/exported \d+ znodes/);
      await node.start();
      server = await ZooServer.start({ port: 0, dataDir });
      const [exported, zooAgain] = [await dump(node.clientPort), await dump(server.port)];
      await server.close();
      expect([...exported.keys()]).toEqual([...zooAgain.keys()]);
      for (const [path, expected] of zooAgain) expect({ path, ...exported.get(path) }).toEqual({ path, ...expected });
      expect(await next(node.clientPort)).toBe('/app/jobs/job-0000000007');
    } finally {
      await target.stop();
    }
  }, 120_000);

  it('replays the logs alone (no snapshot) across every file to the same tree', async () => {
    const logsOnly = join(work, 'zk-logs-only');
    await cp(zkCopy, logsOnly, { recursive: true });
    for (const s of await files(logsOnly, 'snapshot.')) await rm(join(logsOnly, 'version-2', s));
    const dataDir = join(work, 'zoo-from-logs');
    const report = await importZooKeeper({ zkDataDir: logsOnly, dataDir });
    expect(report.snapshot).toBeNull();
    expect(report.logs.length).toBe((await files(logsOnly, 'log.')).length);
    const server = await ZooServer.start({ port: 0, dataDir });
    const view = await dump(server.port);
    await server.close();
    for (const [path, expected] of zkView) expect({ path, ...view.get(path) }).toEqual({ path, ...expected });
  }, 60_000);

  it('a damaged log record is reported with its file and offset, and nothing is written', async () => {
    const damaged = join(work, 'zk-damaged');
    await cp(zkCopy, damaged, { recursive: true });
    // without snapshots every log is read; the first one holds at least snapCount/2 records
    for (const s of await files(damaged, 'snapshot.')) await rm(join(damaged, 'version-2', s));
    const victim = join(damaged, 'version-2', (await files(damaged, 'log.'))[0]);
    const fh = await open(victim, 'r+');
    const header = Buffer.alloc(12);
    await fh.read(header, 0, 12, 16);
    const firstLength = header.readInt32BE(8);
    const second = 16 + 12 + firstLength + 1;
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, second + 12 + 20);
    b[0] ^= 0xff;
    await fh.write(b, 0, 1, second + 12 + 20);
    await fh.close();
    const dataDir = join(work, 'zoo-damaged');
    const err = await importZooKeeper({ zkDataDir: damaged, dataDir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ZooKeeperFormatError);
    expect((err as ZooKeeperFormatError).file).toBe(victim);
    expect((err as ZooKeeperFormatError).offset).toBe(second);
    expect((err as Error).message).toContain('checksum');
    expect(existsSync(dataDir) ? await readdir(dataDir) : []).toEqual([]);

    // the bin says the same in plain words and exits non-zero
    const cli = await run(process.execPath, [bin, 'import-zookeeper', damaged, '--data-dir', join(work, 'zoo-damaged-cli')]).catch((e: { code: number; stderr: string }) => e);
    expect((cli as { code: number }).code).toBe(1);
    expect((cli as { stderr: string }).stderr).toContain(`${victim} at offset ${second}`);
  }, 60_000);

  it('a truncated newest snapshot is passed over for the one before (as ZooKeeper does); the result is the same tree', async () => {
    const torn = join(work, 'zk-torn-snapshot');
    await cp(zkCopy, torn, { recursive: true });
    const snaps = await files(torn, 'snapshot.');
    const newest = join(torn, 'version-2', snaps[snaps.length - 1]);
    await truncate(newest, Math.floor((await stat(newest)).size / 2));
    const dataDir = join(work, 'zoo-torn');
    const report = await importZooKeeper({ zkDataDir: torn, dataDir });
    expect(report.skippedSnapshots.map((s) => s.file)).toEqual([newest]);
    expect(report.skippedSnapshots[0].why).toMatch(new RegExp(`${newest} at offset \\d+`));
    const server = await ZooServer.start({ port: 0, dataDir });
    const view = await dump(server.port);
    await server.close();
    for (const [path, expected] of zkView) expect({ path, ...view.get(path) }).toEqual({ path, ...expected });
  }, 60_000);

  it('refuses to import over existing Zoo data or export over existing ZooKeeper data', async () => {
    const dataDir = join(work, 'zoo-data'); // written by the first import
    await expect(importZooKeeper({ zkDataDir: zkCopy, dataDir })).rejects.toThrow(/already holds Zoo data/);
    await expect(exportZooKeeper({ dataDir, zkDataDir: zkCopy })).rejects.toThrow(/already holds ZooKeeper data/);
  });
});
