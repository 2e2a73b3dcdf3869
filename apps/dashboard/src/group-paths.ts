import { ZooError, ZooErrorCode, validatePath } from '@zoo/core';
import type { ZooClient } from '@zoo/client';

/** One group and its members, as Curator's GroupMember lays them out: one ephemeral child per member, named by its id, its payload as data. */
export interface GroupView {
  path: string;
  members: Array<{ id: string; payload: string | null; session: string }>;
}

/**
 * The membership paths the dashboard shows: each entry is a group path, or `<parent>/*` for
 * every child of `<parent>` (default `/groups/*`). Only groups that exist are shown.
 */
export class GroupPaths {
  private readonly exact: string[] = [];
  private readonly parents: string[] = [];

  constructor(patterns: readonly string[] = ['/groups/*']) {
    for (const p of patterns) {
      if (p.endsWith('/*')) {
        const parent = p.slice(0, -2) || '/';
        validatePath(parent);
        this.parents.push(parent);
      } else {
        validatePath(p);
        this.exact.push(p);
      }
    }
  }

  /** The group and member id when `path` is a member node of a configured group. */
  memberOf(path: string): { group: string; id: string } | undefined {
    const cut = path.lastIndexOf('/');
    if (cut <= 0) return undefined;
    const group = path.slice(0, cut);
    const id = path.slice(cut + 1);
    if (this.exact.includes(group)) return { group, id };
    const parentCut = group.lastIndexOf('/');
    const parent = parentCut === 0 ? '/' : group.slice(0, parentCut);
    return this.parents.includes(parent) ? { group, id } : undefined;
  }

  /** The configured groups that exist now, with their members. */
  async read(client: ZooClient): Promise<GroupView[]> {
    const paths = [...this.exact];
    for (const parent of this.parents) {
      const children = await childrenOf(client, parent);
      paths.push(...children.sort().map((c) => (parent === '/' ? `/${c}` : `${parent}/${c}`)));
    }
    const views = await Promise.all(
      [...new Set(paths)].map(async (path): Promise<GroupView | undefined> => {
        const ids = await childrenOf(client, path).catch(() => undefined);
        if (!ids) return undefined;
        const members = await Promise.all(
          ids.sort().map(async (id) => {
            try {
              const { data, stat } = await client.getData(`${path}/${id}`);
              return { id, payload: data?.toString('utf8') ?? null, session: `0x${stat.ephemeralOwner.toString(16)}` };
            } catch {
              return undefined;
            }
          }),
        );
        return { path, members: members.filter((m) => m !== undefined) };
      }),
    );
    return views.filter((v): v is GroupView => v !== undefined);
  }
}

async function childrenOf(client: ZooClient, path: string): Promise<string[]> {
  try {
    return (await client.getChildren(path)).children;
  } catch (err) {
    if (err instanceof ZooError && err.code === ZooErrorCode.NONODE) return [];
    throw err;
  }
}
