// One demo service per process: `node apps/demo-stack/dist/main.js <role> [flags]`.
// `npm start` runs one of these per service under its supervisor; `npm run demo:catalog` runs
// one more catalog on its own. Flags win over the environment (ZOO_CONNECT, ZOO_PORT,
// ZOO_SESSION_TIMEOUT).
import { parseArgs } from 'node:util';
import { ZooSession } from '@zoo/client';
import { ServiceDiscovery } from '@zoo/discovery';
import { ZooServer } from '@zoo/server';
import { startCatalog } from '@zoo/demo-catalog';
import { startOrders } from '@zoo/demo-orders';
import { startGateway } from '@zoo/demo-gateway';
import { startDashboard } from '@zoo/dashboard';
import { DEFAULT_SESSION_TIMEOUT, ROLES, type Role } from './roles.js';
import { runServiceProcess } from './service-process.js';

const usage = `usage: main.js <${ROLES.join('|')}> [--connect host:port,...] [--port n] [--name id] [--session-timeout ms]
                  zoo: [--port n] [--admin-port n] [--data-dir dir]   dashboard: [--admin-url url]`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    connect: { type: 'string' },
    port: { type: 'string' },
    name: { type: 'string' },
    'session-timeout': { type: 'string' },
    'admin-port': { type: 'string' },
    'admin-url': { type: 'string' },
    'data-dir': { type: 'string' },
  },
});

const role = positionals[0] as Role;
if (!ROLES.includes(role)) {
  console.error(positionals[0] ? `unknown demo service "${positionals[0]}"\n${usage}` : usage);
  process.exit(2);
}

const int = (flag: string, value: string | undefined, fallback: number): number => {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`${flag}: "${value}" is not a non-negative integer`);
    process.exit(2);
  }
  return n;
};

const connectionString = values.connect ?? process.env.ZOO_CONNECT ?? `127.0.0.1:${process.env.ZOO_PORT ?? 2181}`;
const clientOptions = { sessionTimeout: int('--session-timeout', values['session-timeout'] ?? process.env.ZOO_SESSION_TIMEOUT, DEFAULT_SESSION_TIMEOUT) };
const port = int('--port', values.port, 0);

/** The next catalog-N, for a catalog started without --name. */
async function freeCatalogName(): Promise<string> {
  const session = new ZooSession(connectionString, { connectTimeout: 10_000 });
  await session.start();
  try {
    // after the highest number in use, not into a gap: a gateway keeps a killed instance's id
    // marked down for a while (Curator's DownInstancePolicy), so a reused id would get no traffic
    const numbers = (await new ServiceDiscovery(session).instances('catalog')).map((i) => Number(/^catalog-(\d+)$/.exec(i.id)?.[1] ?? 0));
    return `catalog-${Math.max(0, ...numbers) + 1}`;
  } finally {
    await session.close();
  }
}

switch (role) {
  case 'zoo':
    await runServiceProcess(role, 'zoo', async () => {
      const server = await ZooServer.start({
        host: '127.0.0.1',
        port,
        dataDir: values['data-dir'],
        adminPort: values['admin-port'] === undefined ? undefined : int('--admin-port', values['admin-port'], 0),
        fourLetterWordWhitelist: '*',
      });
      return { url: server.connectionString, admin: server.adminPort === undefined ? undefined : `http://127.0.0.1:${server.adminPort}`, stop: () => server.close() };
    });
    break;
  case 'catalog': {
    const name = values.name ?? (await freeCatalogName());
    await runServiceProcess(role, name, () => startCatalog({ connectionString, name, port, clientOptions }));
    break;
  }
  case 'orders':
    await runServiceProcess(role, values.name ?? 'orders', () => startOrders({ connectionString, port, clientOptions }));
    break;
  case 'gateway':
    await runServiceProcess(role, values.name ?? 'gateway', () => startGateway({ connectionString, port, clientOptions }));
    break;
  case 'dashboard':
    await runServiceProcess(role, values.name ?? 'dashboard', () => startDashboard({ connectionString, port, clientOptions, adminUrl: values['admin-url'], allowEdit: process.env.ZOO_DASHBOARD_ALLOW_EDIT === '1', auth: process.env.ZOO_AUTH || undefined }));
    break;
}
