/** One `server.N=` line of ZooKeeper's dynamic configuration. */
export interface EnsembleMember {
  id: number;
  host: string;
  quorumPort: number;
  electionPort: number;
  role: 'participant' | 'observer';
  /** Where clients connect (the wildcard address is replaced by `host`); absent if the line has no client part. */
  client?: { host: string; port: number };
}

/** ZooKeeper's dynamic configuration (the data of /zookeeper/config), parsed. */
export interface EnsembleConfig {
  /** The config version (`version=` in hex), what reconfig's `fromConfig` compares against. */
  version: bigint;
  members: EnsembleMember[];
  /** `host:port,...` of every member with a client address, for updateServerList(). */
  connectionString: string;
  /** The text as the server sent it. */
  text: string;
}

const ADDRESS = /^(\[[^\]]+\]|[^:[\]]+):(\d+):(\d+)(?::(participant|observer))?$/;
const CLIENT = /^(?:(\[[^\]]+\]|[^:[\]]+):)?(\d+)$/;
const WILDCARD = new Set(['0.0.0.0', '::', '[::]', '0:0:0:0:0:0:0:0']);

/**
 * Parses `server.N=host:quorumPort:electionPort[:role][;[clientHost:]clientPort]` lines and
 * `version=<hex>`; other keys are ignored. A malformed server line throws, naming it.
 */
export function parseEnsembleConfig(text: string): EnsembleConfig {
  let version = 0n;
  const members: EnsembleMember[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const eq = line.indexOf('=');
    if (!line || eq < 0) continue;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (key === 'version') {
      if (!/^[0-9a-fA-F]+$/.test(value)) throw new Error(`ensemble config: bad version "${value}"`);
      version = BigInt(`0x${value}`);
      continue;
    }
    const id = /^server\.(\d+)$/.exec(key);
    if (!id) continue;
    const [address, client] = value.split(';');
    const a = ADDRESS.exec(address.trim());
    const c = client === undefined ? null : CLIENT.exec(client.trim());
    if (!a || (client !== undefined && !c)) throw new Error(`ensemble config: cannot read "${line}"`);
    const host = unbracket(a[1]);
    const member: EnsembleMember = { id: Number(id[1]), host, quorumPort: Number(a[2]), electionPort: Number(a[3]), role: (a[4] as EnsembleMember['role'] | undefined) ?? 'participant' };
    if (c) {
      const clientHost = c[1] === undefined || WILDCARD.has(c[1]) ? host : unbracket(c[1]);
      member.client = { host: clientHost, port: Number(c[2]) };
    }
    members.push(member);
  }
  members.sort((x, y) => x.id - y.id);
  const connectionString = members
    .filter((m) => m.client)
    .map((m) => `${m.client!.host.includes(':') ? `[${m.client!.host}]` : m.client!.host}:${m.client!.port}`)
    .join(',');
  return { version, members, connectionString, text };
}

function unbracket(host: string): string {
  return host.startsWith('[') ? host.slice(1, -1) : host;
}
