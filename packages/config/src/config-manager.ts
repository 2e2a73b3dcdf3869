import { EventEmitter } from 'node:events';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AddWatchMode, ZooError, ZooErrorCode } from '@zoo/core';
import { isDisconnection, type ZooSession } from '@zoo/client';
import { contextPaths, type ContextOptions } from './contexts.js';
import { mergeContexts, readContexts } from './context-reader.js';
import { parseConfig, unflatten, type FlatConfig } from './formats.js';

/** The part of a zod schema this package uses (works with zod 3 and 4, or anything alike). */
export interface Schema<T> {
  safeParse(input: unknown): { success: true; data: T } | { success: false; error: { message: string } };
}

export interface ConfigDiff {
  changed: string[];
  added: string[];
  removed: string[];
}

export interface ConfigManagerOptions<T> extends ContextOptions {
  /** The application name (`spring.application.name`). */
  app: string;
  profiles?: string[];
  /** Validates (and types) the nested config object. */
  schema?: Schema<T>;
  /** Read one znode holding a JSON or YAML document instead of a key tree. */
  document?: { path: string; format?: 'json' | 'yaml' };
  /** Keeps the last good config here, to start while the coordination service is unreachable. */
  cacheFile?: string;
}

/**
 * Centralized configuration in Spring Cloud Zookeeper's layout, live: loaded as one
 * consistent snapshot, validated (zod schema or none), reloaded on every change through a
 * persistent recursive watch. An update that fails validation leaves the last good config in
 * place and is reported (`error`); a change emits `change` with the changed keys.
 */
export class ConfigManager<T = Record<string, unknown>> extends EventEmitter implements AsyncDisposable {
  readonly contexts: string[];
  private values: FlatConfig = {};
  private current?: T;
  private reloading?: Promise<void>;
  private again = false;
  private closed = false;
  /** True while serving a config from the cache file (the coordination service was unreachable). */
  stale = false;
  // a new session re-arms the watch; if the connection drops again meanwhile, the next
  // session or reconnect does it (so a lost connection is not an error here)
  private readonly onSession = () => void this.watchAndReload().catch((err) => this.backgroundError(err));
  private readonly onReconnected = () => void this.reload();
  private readonly onEvent = () => void this.reload();

  constructor(
    private readonly session: ZooSession,
    private readonly options: ConfigManagerOptions<T>,
  ) {
    super();
    this.contexts = options.document ? [options.document.path] : contextPaths(options.app, options.profiles ?? [], options);
  }

  /** The validated configuration. */
  get config(): T {
    if (this.current === undefined) throw new Error('ConfigManager: not loaded (await load())');
    return this.current;
  }

  /** A flat value by dotted key. */
  get(key: string): string | undefined {
    return this.values[key];
  }

  /** All flat values. */
  all(): FlatConfig {
    return { ...this.values };
  }

  /**
   * Loads and starts watching. If the coordination service cannot be reached and a cache file
   * exists, serves that (stale = true) and keeps trying in the background.
   */
  async load(): Promise<T> {
    try {
      if (!this.session.started) await this.session.start();
      await this.watchAndReload(true);
    } catch (err) {
      if (!this.options.cacheFile || !(err instanceof ZooError)) throw err;
      const cached = await this.readCache();
      if (!cached) throw err;
      this.apply(cached, false);
      this.stale = true;
      this.emit('stale', err);
      void this.retryInBackground();
    }
    return this.config;
  }

  private async retryInBackground(): Promise<void> {
    for (let delay = 500; !this.closed && this.stale; delay = Math.min(delay * 2, 10_000)) {
      await new Promise((r) => setTimeout(r, delay));
      try {
        if (!this.session.started) await this.session.start();
        await this.watchAndReload(true);
        this.stale = false;
        this.emit('fresh');
      } catch {
        // still unreachable
      }
    }
  }

  private async watchAndReload(strict = false): Promise<void> {
    const client = this.session.client;
    this.session.off('session', this.onSession);
    this.session.off('reconnected', this.onReconnected);
    this.session.on('session', this.onSession);
    this.session.on('reconnected', this.onReconnected);
    const root = this.options.document ? this.options.document.path : (this.options.root ?? '/config');
    await client.addWatch(root, this.onEvent, AddWatchMode.PERSISTENT_RECURSIVE);
    if (strict) await this.read(true);
    else await this.reload();
  }

  /**
   * An error of work nobody awaits: a lost connection or session is left to the reconnect that
   * follows it; anything else is an `error` event.
   */
  private backgroundError(err: unknown): void {
    if (isDisconnection(err)) return;
    this.emit('error', err);
  }

  /** Re-reads everything; concurrent calls coalesce. */
  reload(): Promise<void> {
    if (this.reloading) {
      this.again = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      do {
        this.again = false;
        await this.read(false).catch((err) => this.backgroundError(err));
      } while (this.again && !this.closed);
    })().finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  private async read(strict: boolean): Promise<void> {
    if (this.closed) return;
    const client = this.session.client;
    let flat: FlatConfig;
    if (this.options.document) {
      const { path, format = 'json' } = this.options.document;
      try {
        const { data } = await client.getData(path);
        flat = data ? parseConfig(data.toString('utf8'), format) : {};
      } catch (err) {
        if (err instanceof ZooError && err.code === ZooErrorCode.NONODE) flat = {};
        else throw err;
      }
    } else {
      flat = mergeContexts(this.contexts, await readContexts(client, this.contexts));
    }
    const ok = this.apply(flat, true);
    if (!ok && strict) throw new Error(`configuration of ${this.options.app} is invalid: ${this.lastError}`);
    if (ok) this.stale = false;
  }

  private lastError = '';

  /** Validates and swaps in a new config; false (and `error`) when it does not validate. */
  private apply(flat: FlatConfig, cache: boolean): boolean {
    const nested = unflatten(flat);
    let next: T;
    if (this.options.schema) {
      const parsed = this.options.schema.safeParse(nested);
      if (!parsed.success) {
        this.lastError = parsed.error.message;
        this.emit('error', new Error(`configuration update rejected, keeping the last good one: ${parsed.error.message}`));
        return false;
      }
      next = parsed.data;
    } else next = nested as T;
    const diff = diffOf(this.values, flat);
    const first = this.current === undefined;
    this.values = flat;
    this.current = next;
    if (cache) void this.writeCache(flat).catch((err) => this.emit('error', err));
    if (!first && (diff.changed.length || diff.added.length || diff.removed.length)) this.emit('change', diff, next);
    return true;
  }

  private async readCache(): Promise<FlatConfig | undefined> {
    try {
      const doc = JSON.parse(await readFile(this.options.cacheFile!, 'utf8')) as { values: FlatConfig };
      return doc.values;
    } catch {
      return undefined;
    }
  }

  private async writeCache(values: FlatConfig): Promise<void> {
    const file = this.options.cacheFile;
    if (!file) return;
    await mkdir(dirname(file), { recursive: true });
    const temp = `${file}.tmp`;
    await writeFile(temp, JSON.stringify({ app: this.options.app, contexts: this.contexts, savedAt: new Date().toISOString(), values }, null, 2));
    await rename(temp, file);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.session.off('session', this.onSession);
    this.session.off('reconnected', this.onReconnected);
    await this.reloading;
    if (this.session.started && this.session.client.state === 'connected') {
      await this.session.client.removeWatches(this.options.document ? this.options.document.path : (this.options.root ?? '/config'), 5, this.onEvent).catch(() => {});
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function diffOf(before: FlatConfig, after: FlatConfig): ConfigDiff {
  const changed: string[] = [];
  const added: string[] = [];
  const removed: string[] = [];
  for (const [k, v] of Object.entries(after)) {
    if (!(k in before)) added.push(k);
    else if (before[k] !== v) changed.push(k);
  }
  for (const k of Object.keys(before)) if (!(k in after)) removed.push(k);
  return { changed, added, removed };
}

