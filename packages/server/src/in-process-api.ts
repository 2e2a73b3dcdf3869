import { OpCode, OPEN_ACL_UNSAFE, ZooError, ZooErrorCode, type ACL, type ConnectionContext, type ProcessResult, type Request, type Stat, type ZooEngine } from '@zoo/core';
import type { CommitPipeline } from './commit-pipeline.js';

export interface CreateOptions {
  acl?: ACL[];
  sequential?: boolean;
  container?: boolean;
  ttl?: number;
}

/**
 * The embedder's API (`server.create`, `getData`, ...): requests run as the super user with no
 * session, through the same engine and commit pipeline as a client's. A write resolves once it
 * is durable; a read resolves only once the log holds everything its answer reflects, so an
 * embedder never sees state that a crash could take back.
 */
export class InProcessApi {
  private readonly ctx: ConnectionContext = { watcher: { id: 0 }, sessionId: 0n, authInfo: [{ scheme: 'super', id: '' }] };

  constructor(
    private readonly engine: ZooEngine,
    private readonly pipeline: CommitPipeline,
    /** Logs a txn the server made itself and delivers its notifications. */
    private readonly apply: (result: ProcessResult) => void,
    private readonly isClosed: () => boolean,
  ) {}

  async create(path: string, data: Buffer | string | null = null, options: CreateOptions = {}): Promise<string> {
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    const acl = options.acl ?? [...OPEN_ACL_UNSAFE];
    const request: Request = options.ttl
      ? { op: OpCode.createTTL, path, data: buf, acl, flags: options.sequential ? 6 : 5, ttl: BigInt(options.ttl) }
      : options.container
        ? { op: OpCode.createContainer, path, data: buf, acl, flags: 4 }
        : { op: OpCode.create, path, data: buf, acl, flags: options.sequential ? 2 : 0 };
    const result = await this.write(request, path);
    return (result.response as { path: string }).path;
  }

  async getData(path: string): Promise<{ data: Buffer | null; stat: Stat }> {
    const result = await this.read({ op: OpCode.getData, path, watch: false }, path);
    const { data, stat } = this.answer<{ data: Buffer | null; stat: Stat }>(result, OpCode.getData, path);
    return { data, stat };
  }

  async setData(path: string, data: Buffer | string | null, version = -1): Promise<Stat> {
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    return ((await this.write({ op: OpCode.setData, path, data: buf, version }, path)).response as { stat: Stat }).stat;
  }

  async exists(path: string): Promise<Stat | null> {
    const result = await this.read({ op: OpCode.exists, path, watch: false }, path);
    if (result.err === ZooErrorCode.NONODE) return null;
    return this.answer<{ stat: Stat }>(result, OpCode.exists, path).stat;
  }

  async getChildren(path: string): Promise<string[]> {
    const result = await this.read({ op: OpCode.getChildren, path, watch: false }, path);
    return this.answer<{ children: string[] }>(result, OpCode.getChildren, path).children;
  }

  async delete(path: string, version = -1): Promise<void> {
    await this.write({ op: OpCode.delete, path, version }, path);
  }

  private async write(request: Request, path: string): Promise<ProcessResult> {
    this.assertOpen(request.op, path);
    const result = this.engine.process(this.ctx, 0, request);
    this.apply(result);
    if (result.txn) await this.pipeline.untilDurable(result.txn.zxid);
    if (result.err === ZooErrorCode.NOTREADONLY && this.pipeline.readOnlyReason)
      throw new ZooError(result.err, `NOTREADONLY: the server is read-only: ${this.pipeline.readOnlyReason}; writes resume once it can be written (${OpCode[request.op]} ${path})`, { path, op: OpCode[request.op] });
    if (result.err !== 0) throw new ZooError(result.err, undefined, { path, op: OpCode[request.op] });
    return result;
  }

  /**
   * Its answer may reflect txns not yet durable, so it is returned only once the log holds them;
   * if the log fails first, those txns are rolled back and the read runs again on what is durable.
   */
  private async read(request: Request, path: string): Promise<ProcessResult> {
    this.assertOpen(request.op, path);
    let result = this.engine.process(this.ctx, 0, request);
    try {
      await this.pipeline.untilDurable(this.engine.lastZxid);
    } catch (err) {
      if (!(err instanceof ZooError && err.code === ZooErrorCode.NOTREADONLY)) throw err;
      result = this.engine.process(this.ctx, 0, request);
    }
    return result;
  }

  private answer<R>(result: ProcessResult, op: OpCode, path: string): R {
    if (result.err !== 0) throw new ZooError(result.err, undefined, { path, op: OpCode[op] });
    return result.response as R;
  }

  private assertOpen(op: OpCode, path: string): void {
    if (this.isClosed()) throw new ZooError(ZooErrorCode.CONNECTIONLOSS, 'the server is closed', { path, op: OpCode[op] });
  }
}
