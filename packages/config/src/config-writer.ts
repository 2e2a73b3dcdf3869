import { ZooError, ZooErrorCode, validatePath } from '@zoo/core';
import type { ZooClient } from '@zoo/client';
import { readContexts } from './context-reader.js';
import { formatConfig, parseConfig, type ConfigFormat, type FlatConfig } from './formats.js';

/**
 * The writer side: keys of one context (`/config/<app>` or `/config/<app>,<profile>`) as
 * znodes, nested keys as nested znodes. set/delete/import are each one multi transaction, so
 * readers see all of a change or none of it.
 */
export class ConfigWriter {
  constructor(private readonly client: ZooClient) {}

  /** Current flat values of a context. */
  async read(context: string): Promise<FlatConfig> {
    validatePath(context);
    return (await readContexts(this.client, [context])).get(context)!;
  }

  async set(context: string, key: string, value: string): Promise<void> {
    await this.apply(context, { ...(await this.read(context)), [key]: value }, false);
  }

  async delete(context: string, key: string): Promise<void> {
    const current = await this.read(context);
    if (!(key in current)) throw new ZooError(ZooErrorCode.NONODE, `NONODE: no key ${key} in ${context}`, { path: `${context}/${key.replace(/\./g, '/')}` });
    delete current[key];
    await this.apply(context, current, true);
  }

  /** Replaces the whole context with `values` (keys not in it are deleted), atomically. */
  async import(context: string, values: FlatConfig): Promise<{ created: number; updated: number; deleted: number }> {
    return this.apply(context, values, true);
  }

  async importText(context: string, text: string, format: ConfigFormat): Promise<{ created: number; updated: number; deleted: number }> {
    return this.import(context, parseConfig(text, format));
  }

  async export(context: string, format: ConfigFormat = 'json'): Promise<string> {
    return formatConfig(await this.read(context), format);
  }

  private async apply(context: string, wanted: FlatConfig, prune: boolean): Promise<{ created: number; updated: number; deleted: number }> {
    validatePath(context);
    for (const key of Object.keys(wanted)) {
      if (!key || key.split('.').some((p) => p === '' || p.includes('/'))) throw new ZooError(ZooErrorCode.BADARGUMENTS, `BADARGUMENTS: invalid config key "${key}"`);
    }
    await this.client.mkdirp(context);
    const existingNodes = await this.nodesUnder(context);
    const current = (await readContexts(this.client, [context])).get(context)!;
    const tx = this.client.transaction();
    let created = 0;
    let updated = 0;
    let deleted = 0;
    const wantedNodes = new Set<string>();
    for (const key of Object.keys(wanted).sort()) {
      const parts = key.split('.');
      for (let i = 1; i <= parts.length; i++) wantedNodes.add(`${context}/${parts.slice(0, i).join('/')}`);
    }
    // create missing nodes parents first (intermediate nodes get no data)
    for (const path of [...wantedNodes].sort((a, b) => a.length - b.length)) {
      const key = path.slice(context.length + 1).replace(/\//g, '.');
      if (!existingNodes.has(path)) {
        tx.create(path, key in wanted ? wanted[key] : null);
        if (key in wanted) created++;
      } else if (key in wanted && current[key] !== wanted[key]) {
        tx.setData(path, wanted[key]);
        updated++;
      }
    }
    if (prune) {
      // delete nodes no longer wanted, children first
      for (const path of [...existingNodes].filter((p) => !wantedNodes.has(p)).sort((a, b) => b.length - a.length)) {
        tx.delete(path);
        if (path.slice(context.length + 1).replace(/\//g, '.') in current) deleted++;
      }
    }
    if (tx.size > 0) await tx.commit();
    return { created, updated, deleted };
  }

  private async nodesUnder(context: string): Promise<Set<string>> {
    const out = new Set<string>();
    const walk = async (path: string): Promise<void> => {
      const { children } = await this.client.getChildren(path);
      await Promise.all(
        children.map(async (c) => {
          const child = `${path}/${c}`;
          out.add(child);
          await walk(child);
        }),
      );
    };
    await walk(context);
    return out;
  }
}
