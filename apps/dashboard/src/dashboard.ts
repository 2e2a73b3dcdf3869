import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseConnectionString, ZooSession, type ZooClient, type ZooClientOptions } from '@zoo/client';
import { AddWatchMode, CreateMode, EventType, ZooError, ZooErrorCode, validatePath } from '@zoo/core';
import { ServicePaths } from '@zoo/discovery';
import type { ZooServer } from '@zoo/server';
import { ActivityDeriver, type ActivityEvent } from './activity.js';
import { sessionsFromAdmin } from './admin-sessions.js';
import { sessionsFromFourLetterWords } from './four-letter-sessions.js';
import { chartAsset } from './chart-assets.js';
import { GroupPaths } from './group-paths.js';
import { HttpError, intField, readJson, sendJson, statusOf, stringField } from './http-util.js';
import { fourLetterTarget, MetricsCollector, prometheusTarget, type MetricsTarget } from './metrics-collector.js';
import { page } from './page.js';
import { readInstances, setInstanceEnabled } from './services-view.js';

export interface DashboardOptions {
  connectionString: string;
  /** The embedded server, for sessions, watches and metrics (read in process). */
  server?: ZooServer;
  /** A Zoo server's admin HTTP URL, for sessions and watches, and `/metrics`, when the server runs in another process. */
  adminUrl?: string;
  /**
   * A Prometheus text page to chart (Zoo's admin `/metrics`, or ZooKeeper's metrics provider).
   * Default: the embedded server's, else `<adminUrl>/metrics`, else none: then each host of the
   * connection string is read with `mntr` (`srvr` where the 4lw whitelist refuses `mntr`).
   */
  metricsUrl?: string;
  /** How often the charts get a point, ms; default 2000. */
  metricsIntervalMs?: number;
  clientOptions?: ZooClientOptions;
  /** Digest credentials for the dashboard's own session, `user:password` (what `ZOO_AUTH` holds for the bin). */
  auth?: string;
  /** Allow the tree editing and drain APIs; default false (read-only: they answer 403). */
  allowEdit?: boolean;
  port?: number;
  host?: string;
  /** Curator's service discovery base path; default `/services`. */
  basePath?: string;
  /** Spring Cloud Zookeeper's config root; default `/config`. */
  configRoot?: string;
  /** Group membership paths (Curator's GroupMember): a group path, or `<parent>/*` for each child; default `['/groups/*']`. */
  groupPaths?: string[];
}

export interface Dashboard {
  url: string;
  server: Server;
  stop(): Promise<void>;
}

const MODES: Record<string, CreateMode> = {
  persistent: CreateMode.PERSISTENT,
  ephemeral: CreateMode.EPHEMERAL,
  persistentSequential: CreateMode.PERSISTENT_SEQUENTIAL,
  ephemeralSequential: CreateMode.EPHEMERAL_SEQUENTIAL,
  container: CreateMode.CONTAINER,
};

const text = (data: Buffer | null) => (data === null ? null : data.toString('utf8'));

/**
 * The dashboard: one page and a JSON API over a Zoo session — live charts of the server(s),
 * the znode tree (data, Stat, ACL; create / set / delete with version checks when editing is
 * allowed), services with instance health and drain, groups, sessions and watches, and a live
 * activity feed — pushed to the page over Server-Sent Events from a persistent recursive
 * watch on `/`.
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const allowEdit = options.allowEdit === true;
  const auth = options.auth;
  if (auth !== undefined && !/^[^:]+:/.test(auth)) throw new TypeError('auth must be "user:password" (digest)');
  const paths = new ServicePaths(options.basePath);
  const configRoot = options.configRoot ?? '/config';
  validatePath(configRoot);
  const groups = new GroupPaths(options.groupPaths);
  const hosts = parseConnectionString(options.connectionString).hosts;

  const session = new ZooSession(options.connectionString, options.clientOptions);
  const streams = new Set<ServerResponse>();
  const broadcast = (event: string | undefined, body: unknown) => {
    const line = `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(body)}\n\n`;
    for (const res of streams) res.write(line);
  };
  const activity: ActivityEvent[] = [];
  const deriver = new ActivityDeriver(() => session.client, { servicesPath: paths.basePath, configRoot, groups });
  // derived in order: each event waits for the one before (each may read the node)
  let deriving = Promise.resolve();
  const onEvent = (e: { type: number; path: string | null }) => {
    broadcast(undefined, { type: EventType[e.type], path: e.path });
    if (!e.path) return;
    const path = e.path;
    deriving = deriving.then(async () => {
      const a = await deriver.derive(e.type, path).catch(() => undefined);
      if (!a) return;
      activity.push(a);
      if (activity.length > 500) activity.shift();
      broadcast('activity', a);
    });
  };
  const prepare = async (client: ZooClient) => {
    if (auth) await client.addAuth('digest', auth);
    await client.addWatch('/', onEvent, AddWatchMode.PERSISTENT_RECURSIVE);
  };
  // a new session after expiry: credentials and the watch live on the session, so again
  session.on('session', (client: ZooClient) => {
    if (started) void prepare(client).catch(() => {});
  });
  let started = false;
  await session.start();
  try {
    await prepare(session.client);
  } catch (err) {
    await session.close();
    throw err;
  }
  started = true;
  // a comment line now and then keeps idle event streams open through proxies
  const heartbeat = setInterval(() => {
    for (const res of streams) res.write(': ping\n\n');
  }, 25_000);
  heartbeat.unref();
  // what is registered already, so a later drain or leave can say which instance it was
  // (best effort: a registry this identity may not read is no reason not to start)
  try {
    for (const name of await childrenOrNone(session.client, paths.basePath))
      for (const i of await readInstances(session.client, paths.service(name), false)) deriver.remember(i.path, i);
  } catch {
    // the activity feed then names a leaving instance by its path only
  }

  const targets: MetricsTarget[] = [];
  if (options.server) {
    const registry = options.server.metrics.registry;
    targets.push(prometheusTarget(options.server.connectionString, () => registry.metrics()));
  } else if (options.metricsUrl || options.adminUrl) {
    const url = options.metricsUrl ?? `${options.adminUrl!.replace(/\/$/, '')}/metrics`;
    targets.push(
      prometheusTarget(url, async () => {
        const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
        if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
        return res.text();
      }),
    );
  } else {
    for (const h of hosts) targets.push(fourLetterTarget(h.host, h.port));
  }
  const metrics = new MetricsCollector(targets, options.metricsIntervalMs ?? 2000);
  metrics.on('point', (host: string, point: unknown) => broadcast('metrics', { host, point }));
  metrics.on('unreachable', (host: string, error: string) => broadcast('metrics', { host, error }));
  metrics.start();

  const requireEdit = () => {
    if (!allowEdit) throw new HttpError(403, 'the dashboard is read-only: start it with --allow-edit (option allowEdit) to change data');
  };
  const nodeView = async (client: ZooClient, path: string) => {
    const [{ data, stat }, { acl }] = await Promise.all([client.getData(path), client.getACL(path)]);
    return { path, data: text(data), stat, acl };
  };
  /** BADVERSION on a write: answer 409 with what the node holds now, so the page can show the conflict. */
  const conflict = async (client: ZooClient, path: string, err: ZooError, expected: number) => {
    const current = await nodeView(client, path).catch(() => undefined);
    return new HttpError(409, `${path} is at version ${current?.stat.version ?? '?'}, not ${expected}: it changed since you loaded it`, {
      code: ZooErrorCode[err.code],
      current,
    });
  };

  const routes = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const client = session.client;
    // HEAD is answered as GET (node:http leaves the body out)
    const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
    const path = url.searchParams.get('path') ?? '/';
    if (method !== 'GET') requireEdit();
    switch (`${method} ${url.pathname}`) {
      case 'GET /':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return void res.end(page({ allowEdit }));
      case 'GET /api/info':
        return sendJson(res, 200, {
          allowEdit,
          connectionString: options.connectionString,
          metrics: targets.map((t) => t.name),
          servicesPath: paths.basePath,
          configRoot,
          authenticated: auth !== undefined,
        });
      case 'GET /api/tree': {
        validatePath(path);
        const { children } = await client.getChildren(path);
        return sendJson(res, 200, { path, children: children.sort() });
      }
      case 'GET /api/node':
        validatePath(path);
        return sendJson(res, 200, await nodeView(client, path));
      case 'POST /api/node': {
        const body = await readJson(req);
        const target = stringField(body, 'path')!;
        const data = stringField(body, 'data', false);
        const modeName = stringField(body, 'mode', false) ?? 'persistent';
        const mode = MODES[modeName];
        if (mode === undefined) throw new HttpError(400, `unknown mode "${modeName}" (one of ${Object.keys(MODES).join(', ')})`);
        validatePath(target, mode === CreateMode.PERSISTENT_SEQUENTIAL || mode === CreateMode.EPHEMERAL_SEQUENTIAL);
        const created = await client.create(target, data ?? null, { mode });
        return sendJson(res, 201, await nodeView(client, created.path));
      }
      case 'PUT /api/node': {
        const body = await readJson(req);
        const target = stringField(body, 'path')!;
        validatePath(target);
        const data = body.data === null ? null : stringField(body, 'data')!;
        const version = intField(body.version, 'version');
        try {
          await client.setData(target, data, version);
        } catch (err) {
          if (err instanceof ZooError && err.code === ZooErrorCode.BADVERSION) throw await conflict(client, target, err, version);
          throw err;
        }
        return sendJson(res, 200, await nodeView(client, target));
      }
      case 'DELETE /api/node': {
        validatePath(path);
        if (path === '/') throw new HttpError(400, 'the root cannot be deleted');
        const version = intField(url.searchParams.get('version') ?? '-1', 'version');
        try {
          await client.delete(path, version);
        } catch (err) {
          if (err instanceof ZooError && err.code === ZooErrorCode.BADVERSION) throw await conflict(client, path, err, version);
          throw err;
        }
        res.writeHead(204);
        return void res.end();
      }
      case 'GET /api/services': {
        const names = await childrenOrNone(client, paths.basePath);
        return sendJson(res, 200, await Promise.all(names.sort().map(async (name) => ({ name, instances: await readInstances(client, paths.service(name)) }))));
      }
      case 'POST /api/services/enabled': {
        const body = await readJson(req);
        const name = stringField(body, 'name')!;
        const id = stringField(body, 'id')!;
        if (typeof body.enabled !== 'boolean') throw new HttpError(400, '"enabled" must be true or false');
        const instancePath = paths.instance(name, id);
        validatePath(instancePath);
        return sendJson(res, 200, await setInstanceEnabled(client, instancePath, body.enabled));
      }
      case 'GET /api/groups':
        return sendJson(res, 200, await groups.read(client));
      case 'GET /api/sessions':
        return sendJson(res, 200, await sessions());
      case 'GET /api/metrics':
        return sendJson(res, 200, metrics.snapshot());
      case 'GET /api/activity':
        return sendJson(res, 200, activity);
      case 'GET /api/events':
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
        res.write(': connected\n\n');
        streams.add(res);
        req.on('close', () => streams.delete(res));
        return;
      default: {
        const asset = method === 'GET' ? chartAsset(url.pathname) : undefined;
        if (asset) {
          const { body, type } = await asset;
          res.writeHead(200, { 'content-type': type, 'cache-control': 'max-age=3600' });
          return void res.end(body);
        }
        throw new HttpError(404, `no such page ${method} ${url.pathname}`);
      }
    }
  };

  const sessions = async () => {
    const state = options.server?.state;
    if (!state) return options.adminUrl ? sessionsFromAdmin(options.adminUrl) : sessionsFromFourLetterWords(hosts);
    const watches = new Map<bigint, string[]>();
    for (const [watcher, watched] of state.watchesByWatcher('all')) {
      const sid = (watcher as { sessionId?: bigint }).sessionId ?? 0n;
      watches.set(sid, [...(watches.get(sid) ?? []), ...watched]);
    }
    return state.sessionsInfo().map((s) => ({ id: `0x${s.sessionId.toString(16)}`, timeout: s.timeout, ephemerals: s.ephemerals, watches: watches.get(s.sessionId) ?? [] }));
  };

  const http = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://dashboard');
    routes(req, res, url).catch((err: unknown) => {
      if (res.headersSent) return void res.end();
      if (err instanceof HttpError) return sendJson(res, err.status, { error: err.message, ...err.extra });
      if (err instanceof ZooError) return sendJson(res, statusOf(err), { error: err.message, code: ZooErrorCode[err.code] });
      // validatePath and friends: bad input from the caller
      if (err instanceof TypeError || (err as Error).name === 'InvalidPathError') return sendJson(res, 400, { error: (err as Error).message });
      return sendJson(res, 500, { error: (err as Error).message });
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  }).catch(async (err: unknown) => {
    clearInterval(heartbeat);
    await metrics.stop();
    await session.close();
    throw err;
  });
  const { port } = http.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    server: http,
    stop: async () => {
      clearInterval(heartbeat);
      await metrics.stop();
      for (const res of streams) res.end();
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
      await deriving;
      await session.close();
    },
  };
}

async function childrenOrNone(client: ZooClient, path: string): Promise<string[]> {
  try {
    return (await client.getChildren(path)).children;
  } catch (err) {
    if (err instanceof ZooError && err.code === ZooErrorCode.NONODE) return [];
    throw err;
  }
}
