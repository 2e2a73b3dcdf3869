import type { Command } from 'commander';
import { ZooSession } from '@zoo/client';
import { runAsElected, runWithLock } from '@zoo/lock';
import type { Runner } from './tree.js';

/** zoo lock <path> -- cmd (like flock) and zoo leader <path> -- cmd; the exit code passes through. */
export function lockCommands(program: Command, runner: Runner, setExitCode: (code: number) => void): void {
  program
    .command('lock <path> <command> [args...]')
    .description('run a command while holding the distributed lock (Curator InterProcessMutex protocol)')
    .option('--timeout <ms>', 'give up waiting after ms', Number)
    .action((path: string, command: string, args: string[], o: { timeout?: number }, cmd: Command) =>
      runner(cmd, async (client) => {
        setExitCode(await runWithLock(ZooSession.from(client, ''), path, command, args, { timeoutMs: o.timeout }));
      }),
    );

  program
    .command('leader <path> <command> [args...]')
    .description('run a command while elected leader (Curator LeaderLatch protocol)')
    .option('--timeout <ms>', 'give up waiting after ms', Number)
    .action((path: string, command: string, args: string[], o: { timeout?: number }, cmd: Command) =>
      runner(cmd, async (client) => {
        setExitCode(await runAsElected(ZooSession.from(client, ''), path, command, args, { timeoutMs: o.timeout }));
      }),
    );
}
