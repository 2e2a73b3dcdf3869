import { afterAll, afterEach, beforeAll } from 'vitest';
import { ZooSession } from '@zoo/client';
import { TcpProxy } from '../../client/test/tcp-proxy.js';

export interface Target {
  start(): Promise<{ connectionString: string; port: number; stop(): Promise<void> }>;
}

export interface SuiteFixture {
  /** the server the suite runs against (after beforeAll) */
  server(): Awaited<ReturnType<Target['start']>>;
  /** a started session, closed after the test */
  session(connection?: string, timeoutMs?: number): Promise<ZooSession>;
  /** a session through a blackholing proxy (short timeout), both closed after the test */
  proxied(timeoutMs?: number): Promise<{ proxy: TcpProxy; session: ZooSession }>;
  /** closes `x` after the test (before the sessions) */
  track<T extends { close(): Promise<void> }>(x: T): T;
  /** a fresh path per call */
  base(): string;
  /** the sessions this test opened (closed after it); push one made elsewhere to have it closed too */
  readonly sessions: ZooSession[];
}

/** The server, sessions, proxies and recipe instances of one suite, started and closed by vitest hooks. */
export function useSuiteFixture(target: Target, prefix: string): SuiteFixture {
  let server: Awaited<ReturnType<Target['start']>> | undefined;
  const sessions: ZooSession[] = [];
  const closers: Array<{ close(): Promise<void> }> = [];
  const proxies: TcpProxy[] = [];
  let n = 0;
  beforeAll(async () => {
    server = await target.start();
  }, 60_000);
  afterAll(async () => server?.stop());
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c.close();
    for (const s of sessions.splice(0)) await s.close();
    for (const p of proxies.splice(0)) await p.close();
  });
  const fixture: SuiteFixture = {
    server: () => server!,
    async session(connection = server!.connectionString, timeoutMs = 10_000) {
      const s = new ZooSession(connection, { sessionTimeout: timeoutMs });
      await s.start();
      sessions.push(s);
      return s;
    },
    async proxied(timeoutMs = 3000) {
      const proxy = await TcpProxy.start(server!.port);
      proxies.push(proxy);
      return { proxy, session: await fixture.session(`127.0.0.1:${proxy.port}`, timeoutMs) };
    },
    track(x) {
      closers.push(x);
      return x;
    },
    base: () => `/${prefix}-${process.pid}-${n++}`,
    sessions,
  };
  return fixture;
}
