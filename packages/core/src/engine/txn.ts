import type { OpCode } from '../protocol/opcodes.js';
import type { ACL } from '../protocol/records.js';

/**
 * A transaction: one validated, already-decided change to the state, as it is logged and
 * replayed. Values are absolute (the new version, the parent's new create counter, the final
 * sequential path), so applying a txn twice leaves the state as applying it once — which is
 * what recovery from a fuzzy snapshot needs.
 */
export interface Txn {
  zxid: bigint;
  /** Wall-clock ms of the leader when the txn was made: ctime/mtime come from here. */
  time: number;
  sessionId: bigint;
  body: TxnBody;
}

export interface CreateTxn {
  type: OpCode.create;
  path: string;
  data: Buffer | null;
  acl: readonly ACL[];
  /** Internal owner: 0, session id, container or TTL marker. */
  owner: bigint;
  /** The parent's create counter after this create. */
  parentCreates: number;
}
export interface DeleteTxn {
  type: OpCode.delete;
  path: string;
}
export interface SetDataTxn {
  type: OpCode.setData;
  path: string;
  data: Buffer | null;
  version: number;
}
export interface SetACLTxn {
  type: OpCode.setACL;
  path: string;
  acl: readonly ACL[];
  version: number;
}
export interface CheckTxn {
  type: OpCode.check;
  path: string;
}
/** A failed write still consumes its zxid. */
export interface ErrorTxn {
  type: OpCode.error;
  err: number;
}
export type TxnOp = CreateTxn | DeleteTxn | SetDataTxn | SetACLTxn | CheckTxn | ErrorTxn;

export interface MultiTxn {
  type: OpCode.multi;
  ops: TxnOp[];
}
export interface CreateSessionTxn {
  type: OpCode.createSession;
  timeout: number;
}
export interface CloseSessionTxn {
  type: OpCode.closeSession;
  /** The session's ephemerals, decided when the txn is made (so replay needs no index). */
  paths: string[];
}

export type TxnBody = TxnOp | MultiTxn | CreateSessionTxn | CloseSessionTxn;
