import { JuteDecodeError } from '../protocol/decode-error.js';
import { JuteReader } from '../protocol/jute-reader.js';
import { JuteWriter } from '../protocol/jute-writer.js';
import { OpCode } from '../protocol/opcodes.js';
import type { ACL } from '../protocol/records.js';
import type { CheckTxn, CreateTxn, DeleteTxn, Txn, TxnBody, TxnOp } from './txn.js';
import { utf8 } from '../protocol/utf8.js';

/**
 * The binary form of a txn in the log: Jute encoding of
 * `long zxid; long time; long sessionId; int type; <body by type>`.
 * Bodies: create `path, data, acl, long owner, int parentCreates`; delete `path`; setData
 * `path, data, int version`; setACL `path, acl, int version`; check `path`; error `int err`;
 * multi `int count` then `int type; <body>` per op; createSession `int timeout`; closeSession
 * `vector<ustring> paths` (the ephemerals it deletes). Each body is one entry of TXN_RECORDS below.
 */
export function encodeTxn(txn: Txn): Buffer {
  const body = txn.body;
  const w = JuteWriter.forMessage(false, (body.type === OpCode.create || body.type === OpCode.setData) && body.data ? body.data.length : 0);
  writeTxn(w, txn);
  return w.take();
}

/** Writes a txn as encodeTxn encodes it, into a writer of the caller's (e.g. straight into a batch of log records). */
export function writeTxn(w: JuteWriter, txn: Txn): void {
  w.writeLong(txn.zxid);
  w.writeLongNumber(txn.time);
  w.writeLong(txn.sessionId);
  writeBody(w, txn.body);
}

export function decodeTxn(buf: Buffer): Txn {
  const r = new JuteReader(buf);
  const zxid = r.readLong();
  const time = Number(r.readLong());
  const sessionId = r.readLong();
  return { zxid, time, sessionId, body: readBody(r, true) };
}

const TWO_32 = 4294967296;
/** One shared 0n for the (many) txns without a session or an owner. */
const ZERO = 0n;

/**
 * Decodes the txns of a log being replayed, one after the other, with far less garbage than
 * decodeTxn (recovery decodes a million of them): a create's data is a view of the input, not
 * a copy (applying the txn copies it into the tree's slabs, so the input may be reused after
 * `engine.applyTxn`); an ACL list whose bytes equal the previous create's is the same frozen
 * array (the tree interns it once); a zero session id or owner is one shared 0n; the time is
 * read as a number without a bigint. Anything but a top-level create is decoded as decodeTxn does.
 */
export class TxnReplayDecoder {
  private aclBytes: Buffer = Buffer.alloc(0);
  private acl: readonly ACL[] | null = null;

  /** The txn in `buf[start, end)` (a record's payload). */
  decode(buf: Buffer, start = 0, end = buf.length): Txn {
    if (end - start < 28) return decodeTxn(buf.subarray(start, end)); // (throws the usual error)
    const zxid = buf.readBigInt64BE(start);
    const time = buf.readInt32BE(start + 8) * TWO_32 + buf.readUInt32BE(start + 12);
    const sessionId = this.long(buf, start + 16);
    const type = buf.readInt32BE(start + 24);
    if (type !== OpCode.create) return { zxid, time, sessionId, body: readBody(new JuteReader(buf, start + 24, end), true) };
    return { zxid, time, sessionId, body: this.create(buf, start + 28, end) };
  }

  /**
   * A create body, read straight from the bytes when it is the usual one (a path, data, and the
   * ACL list of the create before); anything else, or anything damaged, is read by JuteReader,
   * which names what is wrong.
   */
  private create(buf: Buffer, at: number, end: number): CreateTxn {
    const acl = this.acl;
    if (acl !== null && end - at >= 8) {
      const pathAt = at + 4;
      const pathLength = buf.readInt32BE(at);
      if (pathLength >= 0 && pathLength <= end - pathAt - 4) {
        const lengthAt = pathAt + pathLength;
        const dataLength = buf.readInt32BE(lengthAt);
        const dataAt = lengthAt + 4;
        const aclAt = dataAt + (dataLength > 0 ? dataLength : 0);
        const known = this.aclBytes;
        const n = known.length;
        if (dataLength >= -1 && n <= end - aclAt - 12 && sameBytes(buf, aclAt, known, n)) {
          const ownerAt = aclAt + n;
          return {
            type: OpCode.create,
            path: utf8(buf, pathAt, lengthAt),
            data: dataLength < 0 ? null : buf.subarray(dataAt, dataAt + dataLength),
            acl,
            owner: this.long(buf, ownerAt),
            parentCreates: buf.readInt32BE(ownerAt + 8),
          };
        }
      }
    }
    const r = new JuteReader(buf, at, end);
    const path = str(r);
    const data = r.readBuffer();
    const from = r.offset;
    // frozen through and through: the tree may then remember it (see DataTree.internACL)
    const decoded = Object.freeze((r.readACLs() ?? []).map((a) => Object.freeze({ perms: a.perms, id: Object.freeze(a.id) })));
    this.acl = decoded;
    this.aclBytes = Buffer.from(buf.subarray(from, r.offset));
    if (end - r.offset < 12) throw new JuteDecodeError(`truncated: need 12 bytes for owner and parentCreates at offset ${r.offset}, ${end - r.offset} left`);
    return { type: OpCode.create, path, data, acl: decoded, owner: this.long(buf, r.offset), parentCreates: buf.readInt32BE(r.offset + 8) };
  }

  private long(buf: Buffer, at: number): bigint {
    return buf.readInt32BE(at) === 0 && buf.readInt32BE(at + 4) === 0 ? ZERO : buf.readBigInt64BE(at);
  }
}

/** Whether `buf` holds the `n` bytes of `known` at `at` (a short run: a loop beats a call into C++). */
function sameBytes(buf: Buffer, at: number, known: Buffer, n: number): boolean {
  for (let i = 0; i < n; i++) if (buf[at + i] !== known[i]) return false;
  return true;
}

function writeBody(w: JuteWriter, body: TxnBody): void {
  w.writeInt(body.type);
  (TXN_RECORDS[body.type] as TxnRecord<TxnBody>).write(w, body);
}

function readBody(r: JuteReader, topLevel: boolean): TxnBody {
  const type = r.readInt();
  const record = TXN_RECORDS[type as TxnBody['type']] as TxnRecord<TxnBody> | undefined;
  // multi holds only the per-op records; session txns stand alone
  if (!record || (!topLevel && !record.inMulti)) throw new JuteDecodeError(type === OpCode.multi && !topLevel ? 'txn: nested multi' : `txn: unknown type ${type}`);
  return record.read(r);
}

/** One txn body: how it is written and read back, side by side. */
interface TxnRecord<T extends TxnBody> {
  write(w: JuteWriter, body: T): void;
  read(r: JuteReader): T;
  /** May stand inside a multi txn. */
  inMulti: boolean;
}

function str(r: JuteReader): string {
  const s = r.readString();
  if (s === null) throw new JuteDecodeError('txn: null path');
  return s;
}

/** Data read from the log is copied: the read buffer is large and must not be retained by every node. */
function data(r: JuteReader): Buffer | null {
  const d = r.readBuffer();
  return d && Buffer.from(d);
}

const pathOnly = <T extends DeleteTxn | CheckTxn>(type: T['type']): TxnRecord<T> => ({
  write: (w, body) => w.writeString(body.path),
  read: (r) => ({ type, path: str(r) }) as T,
  inMulti: true,
});

const TXN_RECORDS: { [K in TxnBody['type']]: TxnRecord<Extract<TxnBody, { type: K }>> } = {
  [OpCode.create]: {
    write(w, body) {
      w.writeString(body.path);
      w.writeBuffer(body.data);
      w.writeACLs(body.acl);
      w.writeLong(body.owner);
      w.writeInt(body.parentCreates);
    },
    read: (r) => ({ type: OpCode.create, path: str(r), data: data(r), acl: r.readACLs() ?? [], owner: r.readLong(), parentCreates: r.readInt() }),
    inMulti: true,
  },
  [OpCode.delete]: pathOnly<DeleteTxn>(OpCode.delete),
  [OpCode.check]: pathOnly<CheckTxn>(OpCode.check),
  [OpCode.setData]: {
    write(w, body) {
      w.writeString(body.path);
      w.writeBuffer(body.data);
      w.writeInt(body.version);
    },
    read: (r) => ({ type: OpCode.setData, path: str(r), data: data(r), version: r.readInt() }),
    inMulti: true,
  },
  [OpCode.setACL]: {
    write(w, body) {
      w.writeString(body.path);
      w.writeACLs(body.acl);
      w.writeInt(body.version);
    },
    read: (r) => ({ type: OpCode.setACL, path: str(r), acl: r.readACLs() ?? [], version: r.readInt() }),
    inMulti: true,
  },
  [OpCode.error]: {
    write: (w, body) => w.writeInt(body.err),
    read: (r) => ({ type: OpCode.error, err: r.readInt() }),
    inMulti: true,
  },
  [OpCode.multi]: {
    write(w, body) {
      w.writeInt(body.ops.length);
      for (const op of body.ops) writeBody(w, op);
    },
    read(r) {
      const n = r.readInt();
      if (n < 0 || n > r.remaining) throw new JuteDecodeError(`txn: multi op count ${n} does not fit in the ${r.remaining} bytes left`);
      const ops: TxnOp[] = [];
      for (let i = 0; i < n; i++) ops.push(readBody(r, false) as TxnOp);
      return { type: OpCode.multi, ops };
    },
    inMulti: false,
  },
  [OpCode.createSession]: {
    write: (w, body) => w.writeInt(body.timeout),
    read: (r) => ({ type: OpCode.createSession, timeout: r.readInt() }),
    inMulti: false,
  },
  [OpCode.closeSession]: {
    write(w, body) {
      w.writeInt(body.paths.length);
      for (const path of body.paths) w.writeString(path);
    },
    read(r) {
      const n = r.readInt();
      if (n < 0 || n * 4 > r.remaining) throw new JuteDecodeError(`txn: path count ${n} does not fit in the ${r.remaining} bytes left`);
      const paths: string[] = [];
      for (let i = 0; i < n; i++) paths.push(str(r));
      return { type: OpCode.closeSession, paths };
    },
    inMulti: false,
  },
};
