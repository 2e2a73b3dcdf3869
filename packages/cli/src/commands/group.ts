import type { Command } from 'commander';
import { ZooError, ZooErrorCode } from '@zoo/core';
import { ZooSession, type ZooClient } from '@zoo/client';
import { GroupMember } from '@zoo/recipes';
import { table } from '../output.js';
import type { Runner } from './tree.js';

interface Member {
  id: string;
  payload: string;
}

/** The members of a group (Curator's GroupMember layout: one child per member, payload as data). */
async function members(client: ZooClient, path: string): Promise<Member[]> {
  let children: string[];
  try {
    children = (await client.getChildren(path)).children;
  } catch (err) {
    if (err instanceof ZooError && err.code === ZooErrorCode.NONODE) return [];
    throw err;
  }
  const out: Member[] = [];
  for (const id of children.sort()) {
    try {
      const { data } = await client.getData(path === '/' ? `/${id}` : `${path}/${id}`);
      out.push({ id, payload: data?.toString('utf8') ?? '' });
    } catch (err) {
      // left between the listing and the read
      if (!(err instanceof ZooError && err.code === ZooErrorCode.NONODE)) throw err;
    }
  }
  return out;
}

/** zoo group ls <path> | join <path> <id> [--payload <text>]. */
export function groupCommands(program: Command, runner: Runner): void {
  const group = program.command('group').description('group membership (Curator GroupMember layout)');

  group
    .command('ls <path>')
    .description('members of a group and their payloads')
    .action((path: string, _o: unknown, cmd: Command) =>
      runner(cmd, async (client, out) => {
        const list = await members(client, path);
        out.data(list, () => (list.length ? table([['MEMBER', 'PAYLOAD'], ...list.map((m) => [m.id, m.payload])]) : `no members in ${path}`));
      }),
    );

  group
    .command('join <path> <id>')
    .description('join a group as <id> until interrupted, then leave')
    .option('--payload <text>', "member payload (default: this host's address, as Curator)")
    .action((path: string, id: string, o: { payload?: string }, cmd: Command) =>
      runner(cmd, async (client, out) => {
        const member = new GroupMember(ZooSession.from(client, ''), path, id, o.payload); // undefined: the default payload
        await member.join();
        out.data({ path, id, payload: member.payload.toString('utf8') }, () => `joined ${path} as ${id}; Ctrl-C to leave`);
        await new Promise<void>((resolve) => {
          process.once('SIGINT', () => resolve());
          process.once('SIGTERM', () => resolve());
        });
        await member.leave();
      }),
    );
}
