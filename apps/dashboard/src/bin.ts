// zoo-dashboard: the dashboard on its own. Flags win over the environment (ZOO_CONNECT,
// ZOO_AUTH, ZOO_DASHBOARD_ALLOW_EDIT); credentials are best given through ZOO_AUTH so they
// do not show in `ps`.
import { parseArgs } from 'node:util';
import { startDashboard } from './dashboard.js';

const usage = `usage: zoo-dashboard [--connect host:port,...] [--port n] [--host addr] [--allow-edit]
                     [--auth user:password] [--admin-url url] [--metrics-url url] [--metrics-interval ms]
                     [--base-path /services] [--config-root /config] [--group-path path]... [--session-timeout ms]
env: ZOO_CONNECT, ZOO_AUTH=user:password (digest), ZOO_DASHBOARD_ALLOW_EDIT=1`;

let values;
try {
  ({ values } = parseArgs({
    options: {
      connect: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'allow-edit': { type: 'boolean' },
      auth: { type: 'string' },
      'admin-url': { type: 'string' },
      'metrics-url': { type: 'string' },
      'metrics-interval': { type: 'string' },
      'base-path': { type: 'string' },
      'config-root': { type: 'string' },
      'group-path': { type: 'string', multiple: true },
      'session-timeout': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (err) {
  console.error(`${(err as Error).message}\n${usage}`);
  process.exit(2);
}
if (values.help) {
  console.log(usage);
  process.exit(0);
}

const int = (flag: string, value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0) {
    console.error(`${flag}: "${value}" is not a non-negative integer`);
    process.exit(2);
  }
  return n;
};

const sessionTimeout = int('--session-timeout', values['session-timeout']);
try {
  const dashboard = await startDashboard({
    connectionString: values.connect ?? process.env.ZOO_CONNECT ?? '127.0.0.1:2181',
    port: int('--port', values.port) ?? 8088,
    host: values.host,
    allowEdit: values['allow-edit'] ?? process.env.ZOO_DASHBOARD_ALLOW_EDIT === '1',
    auth: values.auth ?? (process.env.ZOO_AUTH || undefined),
    adminUrl: values['admin-url'],
    metricsUrl: values['metrics-url'],
    metricsIntervalMs: int('--metrics-interval', values['metrics-interval']),
    basePath: values['base-path'],
    configRoot: values['config-root'],
    groupPaths: values['group-path'],
    clientOptions: sessionTimeout === undefined ? { connectTimeout: 15_000 } : { sessionTimeout, connectTimeout: 15_000 },
  });
  console.log(`dashboard on ${dashboard.url} (${values['allow-edit'] || process.env.ZOO_DASHBOARD_ALLOW_EDIT === '1' ? 'editing allowed' : 'read-only'}) (pid ${process.pid})`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping`);
    dashboard.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
} catch (err) {
  console.error(`zoo-dashboard: ${(err as Error).message}`);
  process.exit(1);
}
