import { ZooSession, type ZooClient, type ZooClientOptions } from '@zoo/client';

/** Where an integration gets its coordination session: given, made from a client, or from a connection string. */
export interface SessionSource {
  session?: ZooSession;
  client?: ZooClient;
  connectionString?: string;
  clientOptions?: ZooClientOptions;
}

/** Resolves the source to a started session, and whether we own (and must close) it. */
export async function resolveSession(source: SessionSource): Promise<{ session: ZooSession; owned: boolean }> {
  if (source.session) {
    if (!source.session.started) await source.session.start();
    return { session: source.session, owned: false };
  }
  if (source.client) return { session: ZooSession.from(source.client, source.connectionString ?? '', source.clientOptions), owned: false };
  if (source.connectionString) {
    const session = new ZooSession(source.connectionString, source.clientOptions);
    await session.start();
    return { session, owned: true };
  }
  throw new TypeError('give one of session, client or connectionString');
}
