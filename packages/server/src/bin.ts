import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import pino from 'pino';
// bundled by tsup: the version the package was built with, whatever the install layout
import { version } from '../package.json';
import { serverOptionsFromFlags, type ServerFlags } from './config.js';
import { ZooServer, type ZooServerOptions } from './zoo-server.js';
import { exportZooKeeper, importZooKeeper } from './migration/index.js';

const port = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`"${v}" is not a port (0-65535)`);
  return n;
};

const program = new Command('zoo-server')
  .description('Zoo: a ZooKeeper wire-compatible server')
  .version(version, '-V, --version', 'print the version of @zoo/server')
  // the serve flags belong before a subcommand, so `-d` can mean each command's own data dir
  .enablePositionalOptions()
  .option('-p, --port <port>', 'client port (0 picks a free one)', port)
  .option('-H, --host <host>', 'address to listen on')
  .option('-d, --data-dir <dir>', 'transaction log and snapshots (in-memory without it)')
  .option('-c, --config <zoo.cfg>', "a ZooKeeper zoo.cfg (flags override it)")
  .option('--admin-port <port>', 'admin HTTP server: /commands and /metrics', port)
  .option('--secure-port <port>', 'TLS client port (secureClientPort)', port)
  .option('--tls-key <file>', 'PEM private key for the TLS port')
  .option('--tls-cert <file>', 'PEM certificate chain for the TLS port')
  .option('--tls-ca <file>', 'PEM CA certificates for client certificates (their subject becomes an x509 ACL identity)')
  .option('--tls-client-auth <mode>', 'need | want | none (default: need with --tls-ca, else none)')
  .option('--log-level <level>', 'pino log level', 'info')
  .action(serve);


program
  .command('import-zookeeper')
  .description("read Apache ZooKeeper's data dir (newest snapshot + the logs after it, 3.5-3.9) into a new Zoo data dir")
  .argument('<zkDataDir>', "ZooKeeper's dataDir (holding version-2)")
  .requiredOption('-d, --data-dir <dir>', 'the Zoo data dir to create (must hold no Zoo data)')
  .option('--zk-data-log-dir <dir>', "ZooKeeper's dataLogDir, when its logs live apart")
  .action(async (zkDataDir: string, o: { dataDir: string; zkDataLogDir?: string }) => {
    await migrate(async () => {
      const r = await importZooKeeper({ zkDataDir, zkDataLogDir: o.zkDataLogDir, dataDir: o.dataDir });
      for (const s of r.skippedSnapshots) console.log(`skipped ${s.why}`);
      if (r.tornTail) console.log(`ignored a record cut short at the end of ${r.tornTail.file} (offset ${r.tornTail.offset}), as ZooKeeper does after a crash`);
      console.log(`imported ${r.nodes} znodes and ${r.sessions} sessions up to zxid 0x${r.lastZxid.toString(16)} (snapshot ${r.snapshot ?? 'none'}, ${r.replayed} txns from ${r.logs.length} log files) into ${r.written}`);
    });
  });

program
  .command('export-zookeeper')
  .description('write a stopped Zoo data dir as an Apache ZooKeeper snapshot that ZooKeeper starts from')
  .argument('<zkDataDir>', "ZooKeeper's dataDir to write version-2/snapshot.<zxid> into (must hold no ZooKeeper data)")
  .requiredOption('-d, --data-dir <dir>', "the Zoo server's data dir (the server must be stopped)")
  .action(async (zkDataDir: string, o: { dataDir: string }) => {
    await migrate(async () => {
      const r = await exportZooKeeper({ dataDir: o.dataDir, zkDataDir });
      console.log(`exported ${r.nodes} znodes and ${r.sessions} sessions at zxid 0x${r.zxid.toString(16)} to ${r.written}`);
    });
  });

await program.parseAsync();

async function migrate(run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (err) {
    console.error(`zoo-server: ${(err as Error).message}`);
    process.exit(1);
  }
}

async function serve(): Promise<void> {
  const flags = program.opts<ServerFlags & { logLevel: string }>();
  const logger = pino({ level: flags.logLevel });

  let options: ZooServerOptions;
  try {
    options = serverOptionsFromFlags(flags, (f) => readFileSync(f, 'utf8'), (m) => logger.warn(m));
  } catch (err) {
    // a configuration mistake: plain words on stderr, not a JSON log line
    console.error(`zoo-server: cannot start: ${(err as Error).message}`);
    process.exit(2);
  }

  try {
    const server = await ZooServer.start({ ...options, logger });
    logger.info(`Zoo serving on ${server.connectionString}${options.dataDir ? ` (data in ${options.dataDir})` : ' (in-memory)'}`);
    if (server.securePort !== undefined) logger.info(`TLS on ${options.host ?? '127.0.0.1'}:${server.securePort}`);
    if (server.adminPort !== undefined) logger.info(`admin on http://${options.adminHost ?? options.host ?? '127.0.0.1'}:${server.adminPort}/commands and /metrics`);
    const stop = (signal: string) => {
      logger.info(`${signal}: flushing the log and stopping`);
      server.close().then(
        () => process.exit(0),
        (err) => {
          logger.error({ err }, 'error while stopping');
          process.exit(1);
        },
      );
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  } catch (err) {
    logger.fatal({ err }, 'cannot start');
    console.error(`zoo-server: cannot start: ${(err as Error).message}`);
    process.exit(1);
  }
}
