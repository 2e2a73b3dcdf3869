import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import pino from 'pino';
import { serverOptionsFromFlags, type ServerFlags } from './config.js';
import { ZooServer, type ZooServerOptions } from './zoo-server.js';

const port = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`"${v}" is not a port (0-65535)`);
  return n;
};

const program = new Command('zoo-server')
  .description('Zoo: a ZooKeeper wire-compatible server')
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
  .parse();

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
