import { ZooClient, ZooSession } from '@zoo/client';

export interface GlobalOptions {
  server: string;
  auth?: string;
  json?: boolean;
  timeout?: number;
}

/** Connects with the global options (digest auth when --auth user:password is given). */
export async function connect(options: GlobalOptions): Promise<ZooClient> {
  const client = await ZooClient.connect(options.server, { sessionTimeout: 15_000, connectTimeout: options.timeout ?? 10_000 });
  if (options.auth) await client.addAuth('digest', options.auth);
  return client;
}

export async function session(options: GlobalOptions): Promise<ZooSession> {
  const client = await connect(options);
  return ZooSession.from(client, options.server, { sessionTimeout: 15_000 });
}
