import { CreateMode, ZooError, ZooErrorCode, type ACL, type Stat } from '@zoo/core';
import { isRetryable, type ZooClient } from '@zoo/client';
import { protectedName } from './sequence.js';

export interface ProtectedCreateOptions {
  data?: Buffer | null;
  mode: CreateMode;
  /** ms, for the TTL modes */
  ttl?: number;
  acl?: ACL[];
  /** Create missing parents as containers first (Curator's creatingParentContainersIfNeeded); default true. */
  createParents?: boolean;
  /** How many connection losses to ride out before giving up; default 10. */
  attempts?: number;
}

export interface CreatedNode {
  path: string;
  /** The last path segment. */
  name: string;
  stat: Stat;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Curator's `create().withProtection()`: creates `<parent>/_c_<uuid>-<name>` (plus the
 * sequence suffix for sequential modes). The uuid is how we find our node again when a
 * connection loss hides whether the create happened, so a retry never leaves an orphan.
 */
export async function createProtected(client: ZooClient, parent: string, name: string, uuid: string, options: ProtectedCreateOptions): Promise<CreatedNode> {
  const base = parent === '/' ? '' : parent;
  const prefix = `${base}/${protectedName(uuid, name)}`;
  const attempts = options.attempts ?? 10;
  for (let attempt = 0; ; attempt++) {
    try {
      const { path, stat } = await client.create(prefix, options.data ?? null, { mode: options.mode, ttl: options.ttl, acl: options.acl });
      return { path, name: path.slice(base.length + 1), stat };
    } catch (err) {
      if (!(err instanceof ZooError)) throw err;
      if (err.code === ZooErrorCode.NONODE && options.createParents !== false && attempt < 3) {
        await createParentContainers(client, parent);
        continue;
      }
      if (isRetryable(err) && attempt < attempts) {
        // the create may have happened: find our node by its uuid instead of leaving an orphan
        const found = await findProtected(client, parent, uuid);
        if (found) return found;
        await sleep(50 * (attempt + 1));
        continue;
      }
      throw err;
    }
  }
}

/** Our protected node under `parent` (the child whose name holds `uuid`), or null. */
export async function findProtected(client: ZooClient, parent: string, uuid: string): Promise<CreatedNode | null> {
  const base = parent === '/' ? '' : parent;
  for (let i = 0; i < 20; i++) {
    try {
      const { children } = await client.getChildren(parent);
      const name = children.find((c) => c.startsWith(protectedName(uuid, '')));
      if (!name) return null;
      const stat = await client.exists(`${base}/${name}`);
      return stat ? { path: `${base}/${name}`, name, stat } : null;
    } catch (err) {
      if (err instanceof ZooError && err.code === ZooErrorCode.NONODE) return null;
      if (!isRetryable(err)) throw err;
      await sleep(100);
    }
  }
  return null;
}

/** Creates `path` and its missing ancestors as containers, as Curator does for recipe parents. */
export async function createParentContainers(client: ZooClient, path: string): Promise<void> {
  const parts = path.split('/').filter(Boolean);
  for (let i = 1; i <= parts.length; i++) {
    try {
      await client.create(`/${parts.slice(0, i).join('/')}`, null, { mode: 'container' });
    } catch (err) {
      if (!(err instanceof ZooError && err.code === ZooErrorCode.NODEEXISTS)) throw err;
    }
  }
}
