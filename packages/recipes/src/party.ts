import { randomUUID } from 'node:crypto';
import { CreateMode, validatePath, ZooError, ZooErrorCode } from '@zoo/core';
import type { ZooSession } from '@zoo/client';
import { joinPath } from './paths.js';
import { PersistentNode } from './persistent-node.js';

/**
 * kazoo's Party and ShallowParty: a pool of participants, so Python (kazoo) and Node processes
 * can share one:
 *
 *   Party          <path>/<uuid hex>__party__    EPHEMERAL, the identifier (UTF-8) as data
 *   ShallowParty   <path>/<uuid hex>-<identifier> EPHEMERAL, no data: one getChildren lists all
 *
 * The parent is created as a plain persistent node, as kazoo's ensure_path does. Our node is
 * a PersistentNode, so unlike kazoo's it is back after a session expiry. members() reads the
 * party now (kazoo's iteration); nothing is cached.
 */
abstract class BaseParty implements AsyncDisposable, AsyncIterable<string> {
  private node?: PersistentNode;

  constructor(
    protected readonly session: ZooSession,
    readonly path: string,
    readonly identifier: string,
  ) {
    validatePath(path);
  }

  protected abstract nodeName(): string;
  protected abstract isMember(child: string): boolean;
  protected abstract identify(child: string): Promise<string | undefined>;

  /** Joins (resolves once our node exists). */
  async join(): Promise<void> {
    if (this.node) return;
    if (!this.session.started) await this.session.start();
    await this.session.client.mkdirp(this.path);
    const node = new PersistentNode(this.session, joinPath(this.path, this.nodeName()), { mode: CreateMode.EPHEMERAL, data: this.payload() });
    this.node = node;
    await node.start();
    await node.waitForInitialCreate();
  }

  protected payload(): Buffer | null {
    return null;
  }

  /** Leaves (our node is deleted). */
  async leave(): Promise<void> {
    const node = this.node;
    this.node = undefined;
    await node?.close();
  }

  get participating(): boolean {
    return !!this.node;
  }

  /** The identifiers of everyone in the party now. */
  async members(): Promise<string[]> {
    const out: string[] = [];
    for (const child of await this.children()) {
      const id = await this.identify(child);
      if (id !== undefined) out.push(id);
    }
    return out;
  }

  /** How many are in the party now (kazoo's len()). */
  async size(): Promise<number> {
    return (await this.children()).length;
  }

  private async children(): Promise<string[]> {
    try {
      return (await this.session.client.getChildren(this.path)).children.filter((c) => this.isMember(c));
    } catch (err) {
      if (err instanceof ZooError && err.code === ZooErrorCode.NONODE) return [];
      throw err;
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<string> {
    yield* await this.members();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.leave();
  }
}

const PARTY_SUFFIX = '__party__';

/** kazoo's Party: members are identified by their node's data. */
export class Party extends BaseParty {
  private readonly name = `${randomUUID().replace(/-/g, '')}${PARTY_SUFFIX}`;

  protected nodeName(): string {
    return this.name;
  }

  protected override payload(): Buffer {
    return Buffer.from(this.identifier, 'utf8');
  }

  protected isMember(child: string): boolean {
    return child.includes(PARTY_SUFFIX);
  }

  protected async identify(child: string): Promise<string | undefined> {
    try {
      return (await this.session.client.getData(joinPath(this.path, child))).data?.toString('utf8') ?? '';
    } catch (err) {
      if (err instanceof ZooError && err.code === ZooErrorCode.NONODE) return undefined; // left meanwhile
      throw err;
    }
  }
}

/** kazoo's ShallowParty: the identifier is in the node's name, so listing is one call. */
export class ShallowParty extends BaseParty {
  private readonly name: string;

  constructor(session: ZooSession, path: string, identifier: string) {
    super(session, path, identifier);
    if (identifier.includes('/')) throw new TypeError(`ShallowParty: the identifier becomes part of a node name and cannot hold "/": "${identifier}"`);
    this.name = `${randomUUID().replace(/-/g, '')}-${identifier}`;
  }

  protected nodeName(): string {
    return this.name;
  }

  protected isMember(): boolean {
    return true;
  }

  protected async identify(child: string): Promise<string> {
    return child.slice(child.indexOf('-') + 1);
  }
}
