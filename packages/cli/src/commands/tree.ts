import { Command, Option } from 'commander';
import { AddWatchMode, CreateMode, EventType, ZooError, ZooErrorCode } from '@zoo/core';
import type { ZooClient } from '@zoo/client';
import { formatAcl, parseAcl } from '../acl-text.js';
import { connect, type GlobalOptions } from '../connect.js';
import { formatStat, makeOutput, type Output } from '../output.js';

type Run = (client: ZooClient, out: Output) => Promise<void>;
export type Runner = (cmd: Command, run: Run) => Promise<void>;

async function listRecursive(client: ZooClient, path: string, out: string[]): Promise<void> {
  const { children } = await client.getChildren(path);
  for (const c of children.sort()) {
    const child = path === '/' ? `/${c}` : `${path}/${c}`;
    out.push(child);
    await listRecursive(client, child, out);
  }
}

async function drawTree(client: ZooClient, path: string, prefix: string, lines: string[]): Promise<void> {
  const { children } = await client.getChildren(path);
  const sorted = children.sort();
  for (let i = 0; i < sorted.length; i++) {
    const last = i === sorted.length - 1;
    lines.push(`${prefix}${last ? '└── ' : '├── '}${sorted[i]}`);
    await drawTree(client, path === '/' ? `/${sorted[i]}` : `${path}/${sorted[i]}`, `${prefix}${last ? '    ' : '│   '}`, lines);
  }
}

/** ls, tree, get, set, create, rm, stat, watch, acl. */
export function treeCommands(program: Command, runner: Runner): void {
  program
    .command('ls <path>')
    .description('list children')
    .option('-R, --recursive', 'every descendant')
    .action((path: string, o: { recursive?: boolean }, cmd: Command) =>
      runner(cmd, async (client, out) => {
        if (o.recursive) {
          const all: string[] = [];
          await listRecursive(client, path, all);
          out.data(all, () => all.join('\n'));
        } else {
          const { children } = await client.getChildren(path);
          out.data(children.sort(), () => children.sort().join('\n'));
        }
      }),
    );

  program
    .command('tree <path>')
    .description('draw the tree under a path')
    .action((path: string, _o: unknown, cmd: Command) =>
      runner(cmd, async (client, out) => {
        const lines = [path];
        await drawTree(client, path, '', lines);
        out.data(lines, () => lines.join('\n'));
      }),
    );

  program
    .command('get <path>')
    .description('print a node’s data')
    .option('-s, --stat', 'and its Stat')
    .action((path: string, o: { stat?: boolean }, cmd: Command) =>
      runner(cmd, async (client, out) => {
        const { data, stat } = await client.getData(path);
        out.data({ path, data: data?.toString('utf8') ?? null, stat }, () => `${data?.toString('utf8') ?? ''}${o.stat ? `\n${formatStat(stat as unknown as Record<string, unknown>)}` : ''}`);
      }),
    );

  program
    .command('set <path> <value>')
    .description('set a node’s data')
    .option('-v, --version <n>', 'only if the data version is n', Number)
    .action((path: string, value: string, o: { version?: number }, cmd: Command) =>
      runner(cmd, async (client, out) => {
        const stat = await client.setData(path, value, o.version ?? -1);
        out.data({ path, stat }, () => `version ${stat.version}`);
      }),
    );

  program
    .command('create <path> [value]')
    .description('create a node')
    .option('-e, --ephemeral', 'ephemeral (goes when this command exits)')
    .option('-s, --sequential', 'append a sequence number')
    .option('-c, --container', 'container (removed after its last child)')
    .addOption(new Option('--ttl <ms>', 'TTL node (removed when idle and childless for ms)').argParser(Number))
    .action((path: string, value: string | undefined, o: { ephemeral?: boolean; sequential?: boolean; container?: boolean; ttl?: number }, cmd: Command) =>
      runner(cmd, async (client, out) => {
        let mode: CreateMode = CreateMode.PERSISTENT;
        if (o.container) mode = CreateMode.CONTAINER;
        else if (o.ttl !== undefined) mode = o.sequential ? CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL : CreateMode.PERSISTENT_WITH_TTL;
        else if (o.ephemeral) mode = o.sequential ? CreateMode.EPHEMERAL_SEQUENTIAL : CreateMode.EPHEMERAL;
        else if (o.sequential) mode = CreateMode.PERSISTENT_SEQUENTIAL;
        const created = await client.create(path, value ?? null, { mode, ttl: o.ttl });
        out.data(created, () => `Created ${created.path}`);
      }),
    );

  program
    .command('rm <path>')
    .description('delete a node')
    .option('-r, --recursive', 'and everything under it')
    .option('-v, --version <n>', 'only if the data version is n', Number)
    .action((path: string, o: { recursive?: boolean; version?: number }, cmd: Command) =>
      runner(cmd, async (client, out) => {
        if (o.recursive) {
          const all: string[] = [];
          await listRecursive(client, path, all);
          let done = 0;
          for (const p of all.reverse()) {
            await client.delete(p).catch((err) => {
              if (!(err instanceof ZooError && err.code === ZooErrorCode.NONODE)) throw err;
            });
            if (++done % 100 === 0) out.progress(`deleted ${done}/${all.length}`);
          }
          await client.delete(path, o.version ?? -1);
          out.data({ deleted: all.length + 1 }, () => `Deleted ${all.length + 1} node(s)`);
        } else {
          await client.delete(path, o.version ?? -1);
          out.data({ deleted: 1 }, () => `Deleted ${path}`);
        }
      }),
    );

  program
    .command('stat <path>')
    .description('print a node’s Stat')
    .action((path: string, _o: unknown, cmd: Command) =>
      runner(cmd, async (client, out) => {
        const stat = await client.exists(path);
        if (!stat) throw new ZooError(ZooErrorCode.NONODE, undefined, { path, op: 'stat' });
        out.data(stat, () => formatStat(stat as unknown as Record<string, unknown>));
      }),
    );

  program
    .command('watch <path>')
    .description('print events on a path until interrupted')
    .option('-r, --recursive', 'the whole subtree')
    .option('--count <n>', 'stop after n events', Number)
    .action((path: string, o: { recursive?: boolean; count?: number }, cmd: Command) =>
      runner(cmd, async (client, out) => {
        let seen = 0;
        let done!: () => void;
        const finished = new Promise<void>((resolve) => (done = resolve));
        process.once('SIGINT', () => done());
        await client.addWatch(path, (e) => {
          if (e.type === EventType.None) return; // the session's own end, not a change
          const event = { type: EventType[e.type], path: e.path };
          // one event per line, also with --json, so the output can be streamed
          out.print(out.json ? JSON.stringify(event) : `${event.type} ${event.path}`);
          if (o.count && ++seen >= o.count) done();
        }, o.recursive ? AddWatchMode.PERSISTENT_RECURSIVE : AddWatchMode.PERSISTENT);
        // on stderr, so --json output stays one event per line
        process.stderr.write(`watching ${path}${o.recursive ? ' (recursive)' : ''}; Ctrl-C to stop\n`);
        await finished;
      }),
    );

  const acl = program.command('acl').description('read or set a node’s ACL');
  acl
    .command('get <path>')
    .action((path: string, _o: unknown, cmd: Command) =>
      runner(cmd, async (client, out) => {
        const { acl: list } = await client.getACL(path);
        out.data(list, () => formatAcl(list));
      }),
    );
  acl
    .command('set <path> <acl>')
    .description('ACL as scheme:id:perms[,...], e.g. world:anyone:r,digest:alice:<hash>:cdrwa')
    .option('-v, --version <n>', 'only if the ACL version is n', Number)
    .action((path: string, text: string, o: { version?: number }, cmd: Command) =>
      runner(cmd, async (client, out) => {
        const stat = await client.setACL(path, parseAcl(text), o.version ?? -1);
        out.data({ path, stat }, () => `aclVersion ${stat.aversion}`);
      }),
    );
}

export { makeOutput, connect, type GlobalOptions };
