/** One row of the dashboard's sessions table. */
export interface SessionRow {
  id: string;
  timeout: number;
  ephemerals: string[];
  watches: string[];
}

const hex = (decimal: string) => `0x${BigInt(decimal).toString(16)}`;

/**
 * The sessions table from a Zoo server's admin HTTP API (`/commands/dump`, `connections`,
 * `watches`), for a dashboard that runs in another process than the server. A session whose
 * client is gone (a killed process) is listed until it expires, with timeout 0 (unknown).
 */
export async function sessionsFromAdmin(adminUrl: string): Promise<SessionRow[]> {
  const get = async <T>(command: string): Promise<T> => {
    const res = await fetch(`${adminUrl.replace(/\/$/, '')}/commands/${command}`);
    if (!res.ok) throw new Error(`admin ${command}: HTTP ${res.status}`);
    return (await res.json()) as T;
  };
  const [dump, connections, watches] = await Promise.all([
    get<{ expiry_time_to_session_ids: Record<string, string[]>; session_id_to_ephemeral_paths: Record<string, string[]> }>('dump'),
    get<{ connections: Array<{ session_id?: string; session_timeout?: number }> }>('connections'),
    get<{ session_id_to_watched_paths: Record<string, string[]> }>('watches'),
  ]);
  const timeouts = new Map(connections.connections.filter((c) => c.session_id).map((c) => [c.session_id, c.session_timeout ?? 0]));
  const ids = Object.values(dump.expiry_time_to_session_ids).flat();
  return ids.map((id) => ({
    id: hex(id),
    timeout: timeouts.get(hex(id)) ?? 0,
    ephemerals: dump.session_id_to_ephemeral_paths[id] ?? [],
    watches: watches.session_id_to_watched_paths[id] ?? [],
  }));
}
