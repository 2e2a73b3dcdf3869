#!/usr/bin/env node
// `npm start`: the main job — an embedded Zoo server on 127.0.0.1:2181 with its data in ./data.
// (The demo services join it as they land; see issue #8.)
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import pino from 'pino';
import { ZooServer } from '../../packages/server/dist/index.js';

const logger = pino({ level: process.env.LOG_LEVEL ?? 'info' });
const dataDir = resolve(process.env.ZOO_DATA_DIR ?? 'data');
mkdirSync(dataDir, { recursive: true });
const port = Number(process.env.ZOO_PORT ?? 2181);

const server = await ZooServer.start({ host: '127.0.0.1', port, dataDir, adminPort: Number(process.env.ZOO_ADMIN_PORT ?? 8080), fourLetterWordWhitelist: '*', logger });
logger.info(`Zoo is serving on ${server.connectionString} (data in ${dataDir}); admin on http://127.0.0.1:${server.adminPort}/commands`);
logger.info(`try: echo srvr | nc 127.0.0.1 ${server.port}   or   /usr/share/zookeeper/bin/zkCli.sh -server ${server.connectionString}`);

const stop = async (signal) => {
  logger.info(`${signal}: stopping`);
  await server.close();
  process.exit(0);
};
process.once('SIGINT', () => void stop('SIGINT'));
process.once('SIGTERM', () => void stop('SIGTERM'));
