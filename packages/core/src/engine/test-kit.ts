import { OPEN_ACL_UNSAFE } from '../acl/ids.js';
import { FakeClock } from '../clock.js';
import { OpCode } from '../protocol/opcodes.js';
import type { ACL, Request, Response, Stat } from '../protocol/records.js';
import type { Txn } from './txn.js';
import { ZooEngine, type ConnectionContext, type ProcessResult, type ZooEngineOptions } from './zoo-engine.js';

/** Small helpers for engine tests: a fake clock, connections, and one-line requests. */
export function engineKit(options: ZooEngineOptions & { onTxn?: (txn: Txn) => void } = {}) {
  const clock = new FakeClock();
  const engine = new ZooEngine({ clock, tickTime: 1000, ...options });
  const log = (txn: Txn | undefined) => {
    if (txn) options.onTxn?.(txn);
  };
  let nextWatcher = 1;

  const connect = (timeOut = 10_000): ConnectionContext => {
    const { response, txn } = engine.connect({ protocolVersion: 0, lastZxidSeen: 0n, timeOut, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false });
    log(txn);
    return { watcher: { id: nextWatcher++ }, sessionId: response.sessionId, authInfo: [{ scheme: 'ip', id: '127.0.0.1' }] };
  };

  const run = (ctx: ConnectionContext, request: Request): ProcessResult => {
    const result = engine.process(ctx, 1, request);
    log(result.txn);
    return result;
  };

  /** Runs the container/TTL reaper, logging its txns. */
  const reap = (): ProcessResult[] => {
    const results = engine.reapContainers();
    for (const r of results) log(r.txn);
    return results;
  };

  /** Runs and expects success; returns the response. */
  const ok = <R extends Response = Response>(ctx: ConnectionContext, request: Request): R => {
    const result = run(ctx, request);
    if (result.err !== 0) throw new Error(`expected success of ${OpCode[request.op]}, got err ${result.err}`);
    return result.response as R;
  };

  const create = (ctx: ConnectionContext, path: string, data: string | null = '', flags = 0, acl: readonly ACL[] = OPEN_ACL_UNSAFE) =>
    run(ctx, { op: OpCode.create2, path, data: data === null ? null : Buffer.from(data), acl: [...acl], flags });

  const stat = (ctx: ConnectionContext, path: string): Stat | null => {
    const r = run(ctx, { op: OpCode.exists, path, watch: false });
    return r.err === 0 ? (r.response as { stat: Stat }).stat : null;
  };

  const children = (ctx: ConnectionContext, path: string): string[] =>
    (ok(ctx, { op: OpCode.getChildren, path, watch: false }) as { children: string[] }).children.sort();

  return { clock, engine, connect, run, ok, create, stat, children, reap };
}
