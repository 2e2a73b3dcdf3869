import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ZooSession, type ZooClientOptions } from '@zoo/client';
import { AddWatchMode, EventType, ZooError } from '@zoo/core';
import { ServiceDiscovery } from '@zoo/discovery';
import type { ZooServer } from '@zoo/server';
import { sessionsFromAdmin } from './admin-sessions.js';
import { PAGE } from './page.js';

export interface DashboardOptions {
  connectionString: string;
  /** The embedded server, for sessions and watches (without it or adminUrl those come empty). */
  server?: ZooServer;
  /** A Zoo server's admin HTTP URL, for sessions and watches when the server runs in another process. */
  adminUrl?: string;
  clientOptions?: ZooClientOptions;
  port?: number;
  host?: string;
  basePath?: string;
}

/**
 * The dashboard: one page and a small JSON API over a Zoo session — the znode tree (data,
 * Stat, ACL), services and their instances, sessions and watches — with changes pushed to the
 * page over Server-Sent Events from a persistent recursive watch on `/`.
 */
export async function startDashboard(options: DashboardOptions): Promise<{ url: string; server: Server; stop(): Promise<void> }> {
  const session = new ZooSession(options.connectionString, options.clientOptions);
  await session.start();
  const discovery = new ServiceDiscovery(session, { basePath: options.basePath });
  const streams = new Set<ServerResponse>();
  const onEvent = (e: { type: number; path: string | null }) => {
    const line = `data: ${JSON.stringify({ type: EventType[e.type], path: e.path })}\n\n`;
    for (const res of streams) res.write(line);
  };
  await session.client.addWatch('/', onEvent, AddWatchMode.PERSISTENT_RECURSIVE);
  session.on('session', (client) => void client.addWatch('/', onEvent, AddWatchMode.PERSISTENT_RECURSIVE).catch(() => {}));

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body, (_, v) => (typeof v === 'bigint' ? v.toString() : v)));
  };

  const http = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://dashboard');
    const path = url.searchParams.get('path') ?? '/';
    void (async () => {
      const client = session.client;
      switch (url.pathname) {
        case '/':
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          return res.end(PAGE);
        case '/api/tree': {
          const { children } = await client.getChildren(path);
          return json(res, 200, { path, children: children.sort() });
        }
        case '/api/node': {
          const [{ data, stat }, { acl }] = await Promise.all([client.getData(path), client.getACL(path)]);
          return json(res, 200, { path, data: data?.toString('utf8') ?? null, stat, acl });
        }
        case '/api/services': {
          const names = await discovery.names();
          return json(res, 200, await Promise.all(names.map(async (name) => ({ name, instances: await discovery.instances(name) }))));
        }
        case '/api/sessions': {
          const state = options.server?.state;
          if (!state) return json(res, 200, options.adminUrl ? await sessionsFromAdmin(options.adminUrl) : []);
          const watches = new Map<bigint, string[]>();
          for (const [watcher, paths] of state.watchesByWatcher('all')) {
            const sid = (watcher as { sessionId?: bigint }).sessionId ?? 0n;
            watches.set(sid, [...(watches.get(sid) ?? []), ...paths]);
          }
          return json(res, 200, state.sessionsInfo().map((s) => ({ id: `0x${s.sessionId.toString(16)}`, timeout: s.timeout, ephemerals: s.ephemerals, watches: watches.get(s.sessionId) ?? [] })));
        }
        case '/api/events':
          res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
          res.write(': connected\n\n');
          streams.add(res);
          req.on('close', () => streams.delete(res));
          return;
        default:
          return json(res, 404, { error: `no such page ${url.pathname}` });
      }
    })().catch((err) => json(res, err instanceof ZooError ? 404 : 500, { error: (err as Error).message }));
  });
  await new Promise<void>((r) => http.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => r()));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    server: http,
    stop: async () => {
      for (const res of streams) res.end();
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
      await session.close();
    },
  };
}
