import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

export interface Target {
  start(): Promise<{ connectionString: string; stop(): Promise<void> }>;
}

/** The `zoo` command, run as a user would (the built bin, a child process). */
export function cliSuite(name: string, target: Target, enabled = true): void {
  describe.runIf(enabled)(`zoo CLI against ${name}`, () => {
    let server: Awaited<ReturnType<Target['start']>>;
    let n = 0;
    beforeAll(async () => {
      server = await target.start();
    }, 60_000);
    afterAll(async () => server?.stop());

    const zoo = (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
      new Promise((resolve) => {
        execFile(process.execPath, [cli, '--server', server.connectionString, ...args], { timeout: 30_000 }, (err, stdout, stderr) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
      });
    const base = () => `/cli-${process.pid}-${n++}`;

    it('creates, reads, updates, lists and deletes nodes', async () => {
      const b = base();
      expect((await zoo('create', b, 'root')).stdout).toBe(`Created ${b}\n`);
      expect((await zoo('create', '-s', `${b}/item-`, 'x')).stdout).toBe(`Created ${b}/item-0000000000\n`);
      await zoo('create', `${b}/sub`);
      await zoo('create', `${b}/sub/leaf`, 'deep');
      expect((await zoo('get', b)).stdout).toBe('root\n');
      const withStat = await zoo('get', '--stat', b);
      expect(withStat.stdout).toMatch(/^root\ncZxid\s+0x[0-9a-f]+\n/);
      expect(withStat.stdout).toMatch(/numChildren\s+2\n/);
      expect((await zoo('set', '-v', '0', b, 'v2')).stdout).toBe('version 1\n');
      const bad = await zoo('set', '-v', '0', b, 'v3');
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/^zoo: BADVERSION/);
      expect((await zoo('ls', b)).stdout).toBe('item-0000000000\nsub\n');
      expect((await zoo('ls', '-R', b)).stdout).toBe(`${b}/item-0000000000\n${b}/sub\n${b}/sub/leaf\n`);
      expect((await zoo('tree', b)).stdout).toBe(`${b}\n├── item-0000000000\n└── sub\n    └── leaf\n`);
      expect(JSON.parse((await zoo('--json', 'ls', b)).stdout)).toEqual(['item-0000000000', 'sub']);
      expect(JSON.parse((await zoo('--json', 'stat', b)).stdout)).toMatchObject({ version: 1, numChildren: 2 });
      expect((await zoo('rm', '-r', b)).stdout).toBe('Deleted 4 node(s)\n');
      const gone = await zoo('get', b);
      expect([gone.code, gone.stderr]).toEqual([2, expect.stringMatching(/^zoo: NONODE/)]);
    });

    it('sets and reads ACLs with digest auth', async () => {
      const b = base();
      await zoo('--auth', 'alice:secret', 'create', b, 'private');
      const hash = 'alice:' + (await import('node:crypto')).createHash('sha1').update('alice:secret').digest('base64');
      expect((await zoo('--auth', 'alice:secret', 'acl', 'set', b, `digest:${hash}:cdrwa`)).stdout).toBe('aclVersion 1\n');
      expect((await zoo('--auth', 'alice:secret', 'acl', 'get', b)).stdout).toBe(`digest:${hash}:cdrwa\n`);
      expect((await zoo('get', b)).stderr).toMatch(/^zoo: NOAUTH/);
      expect((await zoo('--auth', 'alice:secret', 'get', b)).stdout).toBe('private\n');
    });

    it('registers a service until interrupted, and lists it', async () => {
      const child = spawn(process.execPath, [cli, '--server', server.connectionString, 'services', 'register', 'cli-svc', '--port', '8088', '--id', 'one', '--payload', '{"zone":"eu"}']);
      await new Promise<void>((resolve) => child.stdout.on('data', (d) => String(d).includes('registered') && resolve()));
      expect((await zoo('services', 'ls')).stdout).toMatch(/cli-svc\s+1/);
      const shown = JSON.parse((await zoo('--json', 'services', 'show', 'cli-svc')).stdout);
      expect(shown).toMatchObject([{ id: 'one', port: 8088, payload: { zone: 'eu' } }]);
      child.kill('SIGINT');
      await new Promise((r) => child.once('exit', r));
      expect(JSON.parse((await zoo('--json', 'services', 'show', 'cli-svc')).stdout)).toEqual([]);
    });

    it('joins a group until interrupted, and lists its members', async () => {
      const g = `${base()}/group`;
      expect((await zoo('group', 'ls', g)).stdout).toBe(`no members in ${g}\n`);
      const child = spawn(process.execPath, [cli, '--server', server.connectionString, 'group', 'join', g, 'cli-one', '--payload', 'hello there']);
      await new Promise<void>((resolve) => child.stdout.on('data', (d) => String(d).includes('joined') && resolve()));
      await zoo('create', `${g}/other`, 'p2');
      const listed = await zoo('group', 'ls', g);
      expect(listed.stdout).toMatch(/^MEMBER\s+PAYLOAD\n/);
      expect(listed.stdout).toMatch(/cli-one\s+hello there\n/);
      expect(JSON.parse((await zoo('--json', 'group', 'ls', g)).stdout)).toEqual([
        { id: 'cli-one', payload: 'hello there' },
        { id: 'other', payload: 'p2' },
      ]);
      // the member node is ephemeral: it belongs to the join process's session
      expect(JSON.parse((await zoo('--json', 'stat', `${g}/cli-one`)).stdout).ephemeralOwner).not.toMatch(/^(0|0x0)$/);
      child.kill('SIGINT');
      expect(await new Promise((r) => child.once('exit', r))).toBe(0);
      expect(JSON.parse((await zoo('--json', 'group', 'ls', g)).stdout)).toEqual([{ id: 'other', payload: 'p2' }]);
      const bad = await zoo('group', 'join', g, 'a/b');
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toMatch(/member id/);
    });

    it('watch prints events as they happen', async () => {
      const b = base();
      await zoo('create', b);
      const child = spawn(process.execPath, [cli, '--server', server.connectionString, '--json', 'watch', '-r', b, '--count', '2']);
      const exited = new Promise((r) => child.once('exit', r));
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      await new Promise<void>((resolve) => child.stderr.once('data', () => resolve()));
      await new Promise((r) => setTimeout(r, 200));
      await zoo('create', `${b}/kid`);
      await zoo('set', `${b}/kid`, 'v');
      expect(await exited).toBe(0);
      expect(out.trim().split('\n').map((l) => JSON.parse(l))).toEqual([
        { type: 'NodeCreated', path: `${b}/kid` },
        { type: 'NodeDataChanged', path: `${b}/kid` },
      ]);
    });

    it('runs a command under a lock and passes its exit code through', async () => {
      const r = await zoo('lock', `${base()}/lock`, '--timeout', '5000', '--', process.execPath, '-e', 'process.exit(5)');
      expect(r.code).toBe(5);
      const leader = await zoo('leader', `${base()}/election`, '--', process.execPath, '-e', 'process.exit(0)');
      expect(leader.code).toBe(0);
    });

    it('sets, imports, exports and reads configuration', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'zoo-cli-'));
      try {
        const root = `${base()}-config`;
        await zoo('config', '--root', root, 'set', 'application', 'region', 'eu');
        const file = join(dir, 'orders.yaml');
        writeFileSync(file, 'db:\n  url: postgres://db\n  pool: 5\n');
        expect((await zoo('config', '--root', root, 'import', 'orders', file)).stdout).toBe('created 2, updated 0, deleted 0\n');
        expect((await zoo('config', '--root', root, 'export', 'orders', '--format', 'properties')).stdout).toBe('db.pool=5\ndb.url=postgres://db\n');
        expect(JSON.parse((await zoo('--json', 'config', '--root', root, 'get', 'orders')).stdout)).toEqual({ 'db.pool': '5', 'db.url': 'postgres://db', region: 'eu' });
        // a .properties file is ISO-8859-1, as Java and Spring Boot read it: 0xE9 is é, and \u escapes work
        const props = join(dir, 'billing.properties');
        writeFileSync(props, Buffer.concat([Buffer.from('city=Montr'), Buffer.from([0xe9]), Buffer.from('al\ncurrency=\\u20ac\n')]));
        await zoo('config', '--root', root, 'import', 'billing', props);
        expect(JSON.parse((await zoo('--json', 'config', '--root', root, 'get', 'billing')).stdout)).toMatchObject({ city: 'Montréal', currency: '€' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
