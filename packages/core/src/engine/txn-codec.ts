import { JuteDecodeError } from '../protocol/decode-error.js';
import { JuteReader } from '../protocol/jute-reader.js';
import { JuteWriter } from '../protocol/jute-writer.js';
import { OpCode } from '../protocol/opcodes.js';
import type { Txn, TxnBody, TxnOp } from './txn.js';

/**
 * The binary form of a txn in the log: Jute encoding of
 * `long zxid; long time; long sessionId; int type; <body by type>`.
 * Bodies: create `path, data, acl, long owner, int parentCreates`; delete `path`; setData
 * `path, data, int version`; setACL `path, acl, int version`; check `path`; error `int err`;
 * multi `int count` then `int type; <body>` per op; createSession `int timeout`; closeSession
 * `vector<ustring> paths` (the ephemerals it deletes).
 */
export function encodeTxn(txn: Txn): Buffer {
  const w = new JuteWriter();
  w.writeLong(txn.zxid);
  w.writeLong(BigInt(txn.time));
  w.writeLong(txn.sessionId);
  writeBody(w, txn.body);
  return w.toBuffer();
}

export function decodeTxn(buf: Buffer): Txn {
  const r = new JuteReader(buf);
  const zxid = r.readLong();
  const time = Number(r.readLong());
  const sessionId = r.readLong();
  return { zxid, time, sessionId, body: readBody(r, true) };
}

function writeBody(w: JuteWriter, body: TxnBody): void {
  w.writeInt(body.type);
  switch (body.type) {
    case OpCode.create:
      w.writeString(body.path);
      w.writeBuffer(body.data);
      w.writeACLs(body.acl);
      w.writeLong(body.owner);
      w.writeInt(body.parentCreates);
      break;
    case OpCode.delete:
    case OpCode.check:
      w.writeString(body.path);
      break;
    case OpCode.setData:
      w.writeString(body.path);
      w.writeBuffer(body.data);
      w.writeInt(body.version);
      break;
    case OpCode.setACL:
      w.writeString(body.path);
      w.writeACLs(body.acl);
      w.writeInt(body.version);
      break;
    case OpCode.error:
      w.writeInt(body.err);
      break;
    case OpCode.multi:
      w.writeInt(body.ops.length);
      for (const op of body.ops) writeBody(w, op);
      break;
    case OpCode.createSession:
      w.writeInt(body.timeout);
      break;
    case OpCode.closeSession:
      w.writeInt(body.paths.length);
      for (const path of body.paths) w.writeString(path);
      break;
  }
}

function readBody(r: JuteReader, topLevel: boolean): TxnBody {
  const type = r.readInt();
  const str = () => {
    const s = r.readString();
    if (s === null) throw new JuteDecodeError('txn: null path');
    return s;
  };
  switch (type) {
    case OpCode.create: {
      const path = str();
      const data = r.readBuffer();
      const acl = r.readACLs() ?? [];
      // copy: the log read buffer is large and must not be retained by every node
      return { type, path, data: data && Buffer.from(data), acl, owner: r.readLong(), parentCreates: r.readInt() };
    }
    case OpCode.delete:
    case OpCode.check:
      return { type, path: str() };
    case OpCode.setData: {
      const path = str();
      const data = r.readBuffer();
      return { type, path, data: data && Buffer.from(data), version: r.readInt() };
    }
    case OpCode.setACL:
      return { type, path: str(), acl: r.readACLs() ?? [], version: r.readInt() };
    case OpCode.error:
      return { type, err: r.readInt() };
    case OpCode.multi: {
      if (!topLevel) throw new JuteDecodeError('txn: nested multi');
      const n = r.readInt();
      if (n < 0 || n > r.remaining) throw new JuteDecodeError(`txn: multi op count ${n} does not fit in the ${r.remaining} bytes left`);
      const ops: TxnOp[] = [];
      for (let i = 0; i < n; i++) ops.push(readBody(r, false) as TxnOp);
      return { type, ops };
    }
    case OpCode.createSession:
      if (!topLevel) break;
      return { type, timeout: r.readInt() };
    case OpCode.closeSession: {
      if (!topLevel) break;
      const n = r.readInt();
      if (n < 0 || n * 4 > r.remaining) throw new JuteDecodeError(`txn: path count ${n} does not fit in the ${r.remaining} bytes left`);
      const paths: string[] = [];
      for (let i = 0; i < n; i++) paths.push(str());
      return { type, paths };
    }
  }
  throw new JuteDecodeError(`txn: unknown type ${type}`);
}
