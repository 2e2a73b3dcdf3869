import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import pino from 'pino';
import { ZooServer, serverOptionsFromFlags } from '@zoo/server';

/** zoo server: a ZooServer in the foreground (the same options as zoo-server). */
export function serverCommand(program: Command): void {
  program
    .command('server')
    .description('run a Zoo server')
    .option('-p, --port <port>', 'client port', Number)
    .option('-H, --host <host>', 'address to listen on')
    .option('-d, --data-dir <dir>', 'transaction log and snapshots (in-memory without it)')
    .option('-c, --config <zoo.cfg>', 'a ZooKeeper zoo.cfg (flags override it)')
    .option('--admin-port <port>', 'admin HTTP port', Number)
    .action(async (o: { port?: number; host?: string; dataDir?: string; config?: string; adminPort?: number }) => {
      const logger = pino({ level: 'info' });
      const server = await ZooServer.start({ ...serverOptionsFromFlags(o, (f) => readFileSync(f, 'utf8'), (m) => logger.warn(m)), logger });
      process.stdout.write(`Zoo serving on ${server.connectionString}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      await server.close();
    });
}
