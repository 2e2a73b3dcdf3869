import { ZooSession, type ZooClient, type ZooClientOptions } from '@zoo/client';

/** Where an integration gets its coordination session: given, made from a client, or from a connection string. */
export interface SessionSource {
  session?: ZooSession;
  /** A connected client; after its session expires a new client is made to the same servers. */
  client?: ZooClient;
  connectionString?: string;
  clientOptions?: ZooClientOptions;
}

/** The connection string a client was made with (hosts and chroot), for replacing it after expiry. */
function connectionStringOf(client: ZooClient): string {
  const hosts = client.connection.hosts.map((h) => `${h.host.includes(':') ? `[${h.host}]` : h.host}:${h.port}`).join(',');
  return `${hosts}${client.connection.chroot}`;
}

export interface ResolvedSession {
  session: ZooSession;
  /** Closes what we opened: the session made from a connection string, a client that replaced the caller's. */
  release(): Promise<void>;
}

/** Resolves the source to a started session. */
export async function resolveSession(source: SessionSource): Promise<ResolvedSession> {
  if (source.session) {
    if (!source.session.started) await source.session.start();
    return { session: source.session, release: async () => {} };
  }
  const given = source.client;
  if (given) {
    // the replacement asks for the timeout the server granted this one, unless told otherwise
    const options = given.sessionTimeout > 0 ? { sessionTimeout: given.sessionTimeout, ...source.clientOptions } : source.clientOptions;
    const session = ZooSession.from(given, source.connectionString ?? connectionStringOf(given), options);
    // the caller's client stays theirs; a client made after its session expired is ours
    return { session, release: async () => (session.client !== given ? session.close() : session.detach()) };
  }
  if (source.connectionString) {
    const session = new ZooSession(source.connectionString, source.clientOptions);
    await session.start();
    return { session, release: () => session.close() };
  }
  throw new TypeError('give one of session, client or connectionString');
}
