import { CONTAINER_OWNER, JuteReader, OpCode, ttlOwner, type ACL, type Txn, type TxnOp } from '@zoo/core';
import { adler32 } from './adler32.js';
import { ZooKeeperFormatError } from './zookeeper-format-error.js';

/**
 * Apache ZooKeeper's transaction log (`version-2/log.<first zxid hex>`, FileTxnLog, 3.5–3.9):
 *   FileHeader { int magic 'ZKLG'; int version 2; long dbid }
 *   records: { long adler32(entry); buffer entry; byte 'B' }, then zero padding (preallocation).
 *   entry = TxnHeader { long clientId; int cxid; long zxid; long time; int type } + the txn
 *           record of that type (+ a TxnDigest in 3.6+, which is not needed here).
 * A record cut short at the end of the newest file is the tail of a crash and ends the log,
 * as ZooKeeper's own reader treats it; a checksum mismatch is damage.
 */
export const LOG_MAGIC = 0x5a4b4c47; // 'ZKLG'
const HEADER_BYTES = 16;
const EOR = 0x42; // 'B'

/** ZooKeeper's txn type codes that differ from Zoo's (Zoo logs them as create / delete). */
const CREATE2 = 15;
const CREATE_CONTAINER = 19;
const DELETE_CONTAINER = 20;
const CREATE_TTL = 21;
const RECONFIG = 16; // a setData of /zookeeper/config

/** A ZooKeeper txn with what Zoo's txn cannot say itself: a closeSession's ephemerals come from the tree. */
export interface ZooKeeperLogEntry {
  txn: Txn;
  /** where the record starts, for errors */
  offset: number;
}

export interface ZooKeeperLogScan {
  entries: ZooKeeperLogEntry[];
  /** the offset of a record cut short at the end, if any */
  tornAt?: number;
}

export function readZooKeeperLog(buf: Buffer, file: string): ZooKeeperLogScan {
  if (buf.length < HEADER_BYTES) throw new ZooKeeperFormatError(file, 0, 'too short for a log header');
  const magic = buf.readInt32BE(0);
  if (magic !== LOG_MAGIC) throw new ZooKeeperFormatError(file, 0, `not a ZooKeeper transaction log (magic 0x${(magic >>> 0).toString(16)})`);
  const version = buf.readInt32BE(4);
  if (version !== 2) throw new ZooKeeperFormatError(file, 4, `unsupported log version ${version}`);
  const entries: ZooKeeperLogEntry[] = [];
  let offset = HEADER_BYTES;
  while (offset + 12 <= buf.length) {
    const crc = buf.readBigInt64BE(offset);
    const length = buf.readInt32BE(offset + 8);
    if (length === 0 && crc === 0n) return { entries }; // preallocated zeros: the end
    if (length < 0 || offset + 12 + length + 1 > buf.length) return { entries, tornAt: offset };
    const entry = buf.subarray(offset + 12, offset + 12 + length);
    if (buf[offset + 12 + length] !== EOR) return { entries, tornAt: offset };
    if (BigInt(adler32(entry)) !== BigInt.asUintN(32, crc)) throw new ZooKeeperFormatError(file, offset, 'record checksum mismatch');
    try {
      entries.push({ txn: decodeEntry(entry), offset });
    } catch (err) {
      throw new ZooKeeperFormatError(file, offset, `record cannot be decoded: ${(err as Error).message}`);
    }
    offset += 12 + length + 1;
  }
  // fewer bytes than a record header left: zeros are the end, anything else a torn tail
  return buf.subarray(offset).every((b) => b === 0) ? { entries } : { entries, tornAt: offset };
}

function decodeEntry(entry: Buffer): Txn {
  const r = new JuteReader(entry);
  const sessionId = r.readLong();
  r.readInt(); // cxid
  const zxid = r.readLong();
  const time = Number(r.readLong());
  const type = r.readInt();
  const txn: Txn = { zxid, time, sessionId, body: { type: OpCode.error, err: 0 } };
  switch (type) {
    case OpCode.createSession:
      txn.body = { type: OpCode.createSession, timeout: r.readInt() };
      break;
    case OpCode.closeSession:
      // paths2Delete is optional in the log (closeSessionTxn.enabled); the importer takes the
      // session's ephemerals from the tree, which is what ZooKeeper's killSession does too
      txn.body = { type: OpCode.closeSession, paths: [] };
      break;
    case OpCode.multi: {
      const n = r.readCount('multi ops', 8);
      const ops: TxnOp[] = [];
      for (let i = 0; i < n; i++) {
        const opType = r.readInt();
        const data = r.readBuffer();
        if (data === null) throw new Error(`multi op ${i} has no body`);
        ops.push(decodeOp(opType, new JuteReader(data), sessionId));
      }
      // ZooKeeper may log a failed multi with the ops before the failing one as they were
      // prepared; any error op means none of them applies (DataTree.processTxn)
      const failed = ops.some((op) => op.type === OpCode.error);
      txn.body = { type: OpCode.multi, ops: failed ? ops.map((op) => (op.type === OpCode.error ? op : { type: OpCode.error, err: 0 })) : ops };
      break;
    }
    default:
      txn.body = decodeOp(type, r, sessionId);
  }
  return txn;
}

function decodeOp(type: number, r: JuteReader, sessionId: bigint): TxnOp {
  const path = (): string => {
    const p = r.readString();
    if (p === null) throw new Error('null path');
    return p;
  };
  const acl = (): readonly ACL[] => r.readACLs() ?? [];
  switch (type) {
    case OpCode.create:
    case CREATE2: {
      const p = path();
      const data = r.readBuffer();
      const a = acl();
      const ephemeral = r.readBool();
      return { type: OpCode.create, path: p, data, acl: a, owner: ephemeral ? sessionId : 0n, parentCreates: r.readInt() };
    }
    case CREATE_CONTAINER: {
      const p = path();
      const data = r.readBuffer();
      const a = acl();
      return { type: OpCode.create, path: p, data, acl: a, owner: CONTAINER_OWNER, parentCreates: r.readInt() };
    }
    case CREATE_TTL: {
      const p = path();
      const data = r.readBuffer();
      const a = acl();
      const parentCreates = r.readInt();
      return { type: OpCode.create, path: p, data, acl: a, owner: ttlOwner(r.readLong()), parentCreates };
    }
    case OpCode.delete:
    case DELETE_CONTAINER:
      return { type: OpCode.delete, path: path() };
    case OpCode.setData:
    case RECONFIG: {
      const p = path();
      const data = r.readBuffer();
      return { type: OpCode.setData, path: p, data, version: r.readInt() };
    }
    case OpCode.setACL: {
      const p = path();
      const a = acl();
      return { type: OpCode.setACL, path: p, acl: a, version: r.readInt() };
    }
    case OpCode.check:
      return { type: OpCode.check, path: path() };
    case OpCode.error:
      return { type: OpCode.error, err: r.readInt() };
  }
  throw new Error(`unsupported txn type ${type}`);
}
