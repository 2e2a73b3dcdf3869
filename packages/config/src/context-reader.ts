import { ZooError, ZooErrorCode } from '@zoo/core';
import type { ZooClient } from '@zoo/client';
import type { FlatConfig } from './formats.js';

/**
 * Reads the key tree under some context paths as one consistent snapshot: each round reads
 * every known node's data and children with a single multiRead (atomic on the server); when
 * the children found match the nodes asked about, nothing was added or removed in between and
 * the snapshot is complete. A writer's multi is therefore seen whole or not at all.
 */
export async function readContexts(client: ZooClient, contexts: readonly string[]): Promise<Map<string, FlatConfig>> {
  // path → the context it belongs to
  let known = new Map<string, string>(contexts.map((c) => [c, c]));
  for (let round = 0; round < 50; round++) {
    const paths = [...known.keys()];
    const results = await client.multiRead(paths.flatMap((path) => [{ op: 'getData' as const, path }, { op: 'getChildren' as const, path }]));
    const next = new Map<string, string>(contexts.map((c) => [c, c]));
    const out = new Map<string, FlatConfig>(contexts.map((c) => [c, {}]));
    for (let i = 0; i < paths.length; i++) {
      const path = paths[i];
      const context = known.get(path)!;
      const data = results[2 * i];
      const kids = results[2 * i + 1];
      if (data instanceof ZooError || kids instanceof ZooError) {
        const err = data instanceof ZooError ? data : (kids as ZooError);
        if (err.code !== ZooErrorCode.NONODE) throw err;
        continue;
      }
      if (path !== context && 'data' in data && data.data !== null) out.get(context)![path.slice(context.length + 1).replace(/\//g, '.')] = data.data.toString('utf8');
      if ('children' in kids) for (const child of kids.children) next.set(`${path}/${child}`, context);
    }
    const same = next.size === known.size && [...next.keys()].every((p) => known.has(p));
    if (same) return out;
    known = next;
  }
  throw new ZooError(ZooErrorCode.OPERATIONTIMEOUT, 'OPERATIONTIMEOUT: configuration kept changing while being read');
}

/** Merges contexts, most specific first: the first context that has a key wins. */
export function mergeContexts(contexts: readonly string[], values: Map<string, FlatConfig>): FlatConfig {
  const merged: FlatConfig = {};
  for (const c of [...contexts].reverse()) Object.assign(merged, values.get(c));
  return merged;
}
