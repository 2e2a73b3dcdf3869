import type { OperationOptions } from './dispatcher.js';
import { CreateMode, OpCode, OPEN_ACL_UNSAFE, ZooError, errorCodeName, type ACL, type MultiOp, type MultiResult, type Stat } from '@zoo/core';

export type OpResult =
  | { type: 'create'; path: string; stat?: Stat }
  | { type: 'delete' }
  | { type: 'setData'; stat: Stat }
  | { type: 'check' };

/** A transaction failed: `opIndex` is the op that failed, `code` why; nothing was applied. */
export class TransactionError extends ZooError {
  constructor(
    readonly opIndex: number,
    readonly errors: number[],
    op: string,
    path: string,
  ) {
    super(errors[opIndex], `transaction failed at op #${opIndex} (${op} ${path}): ${errorCodeName(errors[opIndex])}; nothing was applied`, { path, op: 'multi' });
  }
}

interface Described {
  op: MultiOp;
  name: string;
  path: string;
}

/**
 * A multi-op transaction: all ops apply, or none. Built with create/delete/setData/check and
 * sent with commit().
 */
export class Transaction {
  private readonly ops: Described[] = [];

  constructor(
    private readonly run: (ops: MultiOp[], options: OperationOptions) => Promise<MultiResult[]>,
    private readonly toServer: (path: string, sequential?: boolean) => string,
    private readonly toClient: (path: string) => string,
  ) {}

  create(path: string, data: Buffer | string | null = null, options: { mode?: CreateMode; acl?: ACL[]; ttl?: number } = {}): this {
    const flags = options.mode ?? CreateMode.PERSISTENT;
    const sequential = flags === CreateMode.PERSISTENT_SEQUENTIAL || flags === CreateMode.EPHEMERAL_SEQUENTIAL || flags === CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL;
    const server = this.toServer(path, sequential);
    const body = typeof data === 'string' ? Buffer.from(data) : data;
    const acl = options.acl ?? [...OPEN_ACL_UNSAFE];
    let op: MultiOp;
    if (flags === CreateMode.CONTAINER) op = { op: OpCode.createContainer, path: server, data: body, acl, flags };
    else if (options.ttl !== undefined) op = { op: OpCode.createTTL, path: server, data: body, acl, flags, ttl: BigInt(options.ttl) };
    else op = { op: OpCode.create, path: server, data: body, acl, flags };
    this.ops.push({ op, name: 'create', path });
    return this;
  }

  delete(path: string, version = -1): this {
    this.ops.push({ op: { op: OpCode.delete, path: this.toServer(path), version }, name: 'delete', path });
    return this;
  }

  setData(path: string, data: Buffer | string | null, version = -1): this {
    const body = typeof data === 'string' ? Buffer.from(data) : data;
    this.ops.push({ op: { op: OpCode.setData, path: this.toServer(path), data: body, version }, name: 'setData', path });
    return this;
  }

  check(path: string, version: number): this {
    this.ops.push({ op: { op: OpCode.check, path: this.toServer(path), version }, name: 'check', path });
    return this;
  }

  get size(): number {
    return this.ops.length;
  }

  /** Applies every op atomically; on failure throws TransactionError naming the failed op. */
  async commit(options: OperationOptions = {}): Promise<OpResult[]> {
    const results = await this.run(this.ops.map((o) => o.op), options);
    const failed = results.findIndex((r) => r.type === OpCode.error && r.err !== 0);
    if (failed >= 0) {
      throw new TransactionError(failed, results.map((r) => r.err), this.ops[failed].name, this.ops[failed].path);
    }
    return results.map((r): OpResult => {
      switch (r.type) {
        case OpCode.create:
          return { type: 'create', path: this.toClient(r.path) };
        case OpCode.create2:
          return { type: 'create', path: this.toClient(r.path), stat: r.stat };
        case OpCode.delete:
          return { type: 'delete' };
        case OpCode.setData:
          return { type: 'setData', stat: r.stat };
        default:
          return { type: 'check' };
      }
    });
  }
}
