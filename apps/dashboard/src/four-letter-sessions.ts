import type { SessionRow } from './admin-sessions.js';
import { fourLetterWord } from './four-letter-word.js';

/** `0x…` session id → paths, from the indented blocks of `wchc` and of dump's ephemerals part. */
function pathsBySession(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string | undefined;
  for (const line of text.split('\n')) {
    const sid = /^(0x[0-9a-f]+):?\s*$/i.exec(line);
    if (sid) {
      current = sid[1].toLowerCase();
      if (!out.has(current)) out.set(current, []);
    } else if (current && /^\t\//.test(line)) out.get(current)!.push(line.trim());
    else if (line.trim()) current = undefined;
  }
  return out;
}

/** The ephemerals part of `dump` (after "Sessions with Ephemerals"), and the session ids it lists before it. */
function parseDump(text: string): { ephemerals: Map<string, string[]>; sessions: string[] } {
  const at = text.indexOf('Sessions with Ephemerals');
  const end = text.indexOf('Connections dump');
  const tracker = at >= 0 ? text.slice(0, at) : '';
  const sessions = [...tracker.matchAll(/^\t(0x[0-9a-f]+)\s*$/gim)].map((m) => m[1].toLowerCase());
  return { ephemerals: at >= 0 ? pathsBySession(text.slice(at, end >= 0 ? end : undefined)) : new Map(), sessions };
}

/**
 * The sessions table of a ZooKeeper ensemble from its four-letter words (what the dashboard has
 * where there is no admin API): `cons` on each member for the sessions connected to it and their
 * timeouts, `wchc` for their watches, `dump` for the ephemerals (and, on the leader, every
 * session). Words a member refuses (4lw whitelist) or a member that is down add nothing.
 */
export async function sessionsFromFourLetterWords(hosts: ReadonlyArray<{ host: string; port: number }>): Promise<SessionRow[]> {
  const rows = new Map<string, SessionRow>();
  const row = (id: string) => {
    let r = rows.get(id);
    if (!r) rows.set(id, (r = { id, timeout: 0, ephemerals: [], watches: [] }));
    return r;
  };
  const ask = (h: { host: string; port: number }, word: string) => fourLetterWord(h.host, h.port, word).catch(() => '');
  await Promise.all(
    hosts.map(async (h) => {
      const [cons, wchc, dump] = await Promise.all([ask(h, 'cons'), ask(h, 'wchc'), ask(h, 'dump')]);
      for (const m of cons.matchAll(/sid=(0x[0-9a-f]+)[^)]*?\bto=(\d+)/gi)) row(m[1].toLowerCase()).timeout = Number(m[2]);
      for (const [sid, paths] of pathsBySession(wchc)) row(sid).watches.push(...paths);
      const { ephemerals, sessions } = parseDump(dump);
      for (const sid of sessions) row(sid);
      for (const [sid, paths] of ephemerals) {
        const r = row(sid);
        for (const p of paths) if (!r.ephemerals.includes(p)) r.ephemerals.push(p);
      }
    }),
  );
  return [...rows.values()].sort((a, b) => a.id.localeCompare(b.id));
}
