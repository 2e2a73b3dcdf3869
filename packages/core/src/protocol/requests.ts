import { ZooError, ZooErrorCode } from '../errors.js';
import { JuteDecodeError } from './decode-error.js';
import { JuteReader } from './jute-reader.js';
import { JuteWriter } from './jute-writer.js';
import { OpCode } from './opcodes.js';
import type { MultiOp, Request, RequestHeader } from './records.js';

/**
 * Request frames: `int length; RequestHeader(int xid; int type); body`. The body layout of
 * each opcode follows zookeeper.jute; see the reference for which records each op uses.
 */

/** Encodes a whole request frame (length prefix included). */
export function encodeRequest(xid: number, req: Request): Buffer {
  // room for the header and a typical path; setData/create also carry their data
  const w = JuteWriter.frame('data' in req && req.data ? 128 + req.data.length : 128);
  w.writeInt(xid);
  w.writeInt(req.op);
  writeRequestBody(w, req);
  return w.finishFrame();
}

export function writeRequestBody(w: JuteWriter, req: Request | MultiOp): void {
  switch (req.op) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
      w.writeString(req.path);
      w.writeBuffer(req.data);
      w.writeACLs(req.acl);
      w.writeInt(req.flags);
      return;
    case OpCode.createTTL:
      w.writeString(req.path);
      w.writeBuffer(req.data);
      w.writeACLs(req.acl);
      w.writeInt(req.flags);
      w.writeLong(req.ttl);
      return;
    case OpCode.delete:
    case OpCode.check:
      w.writeString(req.path);
      w.writeInt(req.version);
      return;
    case OpCode.exists:
    case OpCode.getData:
    case OpCode.getChildren:
    case OpCode.getChildren2:
      w.writeString(req.path);
      w.writeBool(req.watch);
      return;
    case OpCode.setData:
      w.writeString(req.path);
      w.writeBuffer(req.data);
      w.writeInt(req.version);
      return;
    case OpCode.getACL:
    case OpCode.sync:
    case OpCode.getAllChildrenNumber:
      w.writeString(req.path);
      return;
    case OpCode.setACL:
      w.writeString(req.path);
      w.writeACLs(req.acl);
      w.writeInt(req.version);
      return;
    case OpCode.multi:
    case OpCode.multiRead:
      for (const op of req.ops) {
        w.writeInt(op.op);
        w.writeBool(false);
        w.writeInt(-1);
        writeRequestBody(w, op);
      }
      w.writeInt(-1);
      w.writeBool(true);
      w.writeInt(-1);
      return;
    case OpCode.checkWatches:
    case OpCode.removeWatches:
      w.writeString(req.path);
      w.writeInt(req.type);
      return;
    case OpCode.addWatch:
      w.writeString(req.path);
      w.writeInt(req.mode);
      return;
    case OpCode.setWatches:
    case OpCode.setWatches2:
      w.writeLong(req.relativeZxid);
      w.writeStringVector(req.dataWatches);
      w.writeStringVector(req.existWatches);
      w.writeStringVector(req.childWatches);
      if (req.op === OpCode.setWatches2) {
        w.writeStringVector(req.persistentWatches);
        w.writeStringVector(req.persistentRecursiveWatches);
      }
      return;
    case OpCode.auth:
      w.writeInt(req.type);
      w.writeString(req.scheme);
      w.writeBuffer(req.auth);
      return;
    case OpCode.sasl:
      w.writeBuffer(req.token);
      return;
    case OpCode.getEphemerals:
      w.writeString(req.prefixPath);
      return;
    case OpCode.reconfig:
      w.writeString(req.joiningServers);
      w.writeString(req.leavingServers);
      w.writeString(req.newMembers);
      w.writeLong(req.curConfigId);
      return;
    case OpCode.deleteContainer:
      w.writeBuffer(Buffer.from(req.path, 'utf8'));
      return;
    case OpCode.ping:
    case OpCode.closeSession:
    case OpCode.whoAmI:
      return;
  }
}

/** Decodes a request frame's payload (without its length prefix). */
export function decodeRequest(payload: Buffer): { header: RequestHeader; request: Request } {
  const r = new JuteReader(payload);
  const header = { xid: r.readInt(), type: r.readInt() };
  return { header, request: readRequestBody(r, header.type, payload) };
}

const MULTI_WRITE_OPS = new Set<number>([OpCode.create, OpCode.create2, OpCode.createContainer, OpCode.createTTL, OpCode.delete, OpCode.setData, OpCode.check]);
const MULTI_READ_OPS = new Set<number>([OpCode.getData, OpCode.getChildren]);

function str(r: JuteReader): string {
  return r.readString() ?? '';
}

function vec(r: JuteReader): string[] {
  return r.readStringVector() ?? [];
}

export function readRequestBody(r: JuteReader, type: number, payload?: Buffer): Request {
  switch (type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
      return { op: type, path: str(r), data: r.readBuffer(), acl: r.readACLs() ?? [], flags: r.readInt() };
    case OpCode.createTTL:
      return { op: type, path: str(r), data: r.readBuffer(), acl: r.readACLs() ?? [], flags: r.readInt(), ttl: r.readLong() };
    case OpCode.delete:
    case OpCode.check:
      return { op: type, path: str(r), version: r.readInt() };
    case OpCode.exists:
    case OpCode.getData:
    case OpCode.getChildren:
    case OpCode.getChildren2:
      return { op: type, path: str(r), watch: r.readBool() };
    case OpCode.setData:
      return { op: type, path: str(r), data: r.readBuffer(), version: r.readInt() };
    case OpCode.getACL:
    case OpCode.sync:
    case OpCode.getAllChildrenNumber:
      return { op: type, path: str(r) };
    case OpCode.setACL:
      return { op: type, path: str(r), acl: r.readACLs() ?? [], version: r.readInt() };
    case OpCode.multi:
    case OpCode.multiRead: {
      const allowed = type === OpCode.multi ? MULTI_WRITE_OPS : MULTI_READ_OPS;
      const ops: MultiOp[] = [];
      for (;;) {
        const opType = r.readInt();
        const done = r.readBool();
        r.readInt(); // err, always -1 in requests
        if (done) break;
        if (!allowed.has(opType)) throw new JuteDecodeError(`op ${OpCode[opType] ?? opType} is not allowed in ${OpCode[type]}`);
        ops.push(readRequestBody(r, opType) as MultiOp);
      }
      return { op: type, ops };
    }
    case OpCode.checkWatches:
    case OpCode.removeWatches:
      return { op: type, path: str(r), type: r.readInt() };
    case OpCode.addWatch:
      return { op: type, path: str(r), mode: r.readInt() };
    case OpCode.setWatches:
    case OpCode.setWatches2: {
      const relativeZxid = r.readLong();
      const dataWatches = vec(r);
      const existWatches = vec(r);
      const childWatches = vec(r);
      const v2 = type === OpCode.setWatches2;
      return { op: type, relativeZxid, dataWatches, existWatches, childWatches, persistentWatches: v2 ? vec(r) : [], persistentRecursiveWatches: v2 ? vec(r) : [] };
    }
    case OpCode.auth:
      return { op: type, type: r.readInt(), scheme: str(r), auth: r.readBuffer() ?? Buffer.alloc(0) };
    case OpCode.sasl:
      return { op: type, token: r.readBuffer() ?? Buffer.alloc(0) };
    case OpCode.getEphemerals:
      return { op: type, prefixPath: str(r) };
    case OpCode.reconfig:
      return { op: type, joiningServers: r.readString(), leavingServers: r.readString(), newMembers: r.readString(), curConfigId: r.readLong() };
    case OpCode.deleteContainer: {
      // 3.9 sends a Jute buffer; 3.8 the raw path bytes. Tell them apart by whether the
      // length prefix exactly covers the rest.
      const start = r.offset;
      if (r.remaining >= 4 && payload && payload.readInt32BE(start) === r.remaining - 4) return { op: type, path: (r.readBuffer() ?? Buffer.alloc(0)).toString('utf8') };
      const rest = payload ? payload.toString('utf8', start) : '';
      r.offset += r.remaining;
      return { op: type, path: rest };
    }
    case OpCode.ping:
    case OpCode.closeSession:
    case OpCode.whoAmI:
      return { op: type };
    default:
      throw new ZooError(ZooErrorCode.UNIMPLEMENTED, `UNIMPLEMENTED: unknown opcode ${type}`);
  }
}
