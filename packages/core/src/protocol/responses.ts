import { JuteDecodeError } from './decode-error.js';
import { JuteReader } from './jute-reader.js';
import { JuteWriter } from './jute-writer.js';
import { OpCode, Xid } from './opcodes.js';
import type { MultiResult, ReplyHeader, Response, WatcherEvent } from './records.js';

/**
 * Reply frames: `int length; ReplyHeader(int xid; long zxid; int err); body`. The body is
 * present only when err is 0 and the op has a reply record (multi always has one).
 */

/** Encodes a whole reply frame; the body is written only when `header.err === 0`. */
export function encodeReply(header: ReplyHeader, response?: Response): Buffer {
  const w = JuteWriter.frame(response ? sizeHint(response) : 20);
  writeReply(w, header, response);
  return w.finishFrame();
}

/** A first-guess frame size, so common replies are written without the writer growing. */
function sizeHint(res: Response): number {
  if (res.op === OpCode.getData && res.data) return 112 + res.data.length;
  return 256;
}

/** Writes header + body into an existing writer (for batching several frames). */
export function writeReply(w: JuteWriter, header: ReplyHeader, response?: Response): void {
  w.writeInt(header.xid);
  w.writeLong(header.zxid);
  w.writeInt(header.err);
  if (header.err === 0 && response) writeResponseBody(w, response);
}

export function writeResponseBody(w: JuteWriter, res: Response): void {
  switch (res.op) {
    case OpCode.create:
    case OpCode.sync:
      w.writeString(res.path);
      return;
    case OpCode.create2:
    case OpCode.createContainer:
    case OpCode.createTTL:
      w.writeString(res.path);
      w.writeStat(res.stat);
      return;
    case OpCode.exists:
    case OpCode.setData:
    case OpCode.setACL:
      w.writeStat(res.stat);
      return;
    case OpCode.getData:
    case OpCode.reconfig:
      w.writeBuffer(res.data);
      w.writeStat(res.stat);
      return;
    case OpCode.getACL:
      w.writeACLs(res.acl);
      w.writeStat(res.stat);
      return;
    case OpCode.getChildren:
      w.writeStringVector(res.children);
      return;
    case OpCode.getChildren2:
      w.writeStringVector(res.children);
      w.writeStat(res.stat);
      return;
    case OpCode.getEphemerals:
      w.writeStringVector(res.ephemerals);
      return;
    case OpCode.getAllChildrenNumber:
      w.writeInt(res.totalNumber);
      return;
    case OpCode.whoAmI:
      w.writeInt(res.clientInfo.length);
      for (const c of res.clientInfo) {
        w.writeString(c.authScheme);
        w.writeString(c.user);
      }
      return;
    case OpCode.sasl:
      w.writeBuffer(res.token);
      return;
    case OpCode.addWatch:
      w.writeInt(res.err);
      return;
    case OpCode.multi:
    case OpCode.multiRead:
      for (const r of res.results) writeMultiResult(w, r);
      w.writeInt(-1);
      w.writeBool(true);
      w.writeInt(-1);
      return;
    default:
      return; // ops without a reply body
  }
}

function writeMultiResult(w: JuteWriter, r: MultiResult): void {
  w.writeInt(r.type);
  w.writeBool(false);
  w.writeInt(r.err);
  switch (r.type) {
    case OpCode.create:
      w.writeString(r.path);
      return;
    case OpCode.create2:
      w.writeString(r.path);
      w.writeStat(r.stat);
      return;
    case OpCode.setData:
      w.writeStat(r.stat);
      return;
    case OpCode.getData:
      w.writeBuffer(r.data);
      w.writeStat(r.stat);
      return;
    case OpCode.getChildren:
      w.writeStringVector(r.children);
      return;
    case OpCode.error:
      w.writeInt(r.err);
      return;
    default:
      return; // delete, check: no body
  }
}

export function readReplyHeader(r: JuteReader): ReplyHeader {
  return { xid: r.readInt(), zxid: r.readLong(), err: r.readInt() };
}

/**
 * Decodes a reply body, given the opcode of the request it answers. Trailing bytes are
 * ignored (a createContainer reply read as create, for instance).
 */
export function readResponseBody(op: OpCode, r: JuteReader): Response {
  switch (op) {
    case OpCode.create:
      return { op, path: r.readString() ?? '' };
    case OpCode.sync:
      return { op, path: r.readString() ?? '' };
    case OpCode.create2:
    case OpCode.createContainer:
    case OpCode.createTTL:
      return { op, path: r.readString() ?? '', stat: r.readStat() };
    case OpCode.exists:
    case OpCode.setData:
    case OpCode.setACL:
      return { op, stat: r.readStat() };
    case OpCode.getData:
    case OpCode.reconfig:
      return { op, data: r.readBuffer(), stat: r.readStat() };
    case OpCode.getACL:
      return { op, acl: r.readACLs() ?? [], stat: r.readStat() };
    case OpCode.getChildren:
      return { op, children: r.readStringVector() ?? [] };
    case OpCode.getChildren2:
      return { op, children: r.readStringVector() ?? [], stat: r.readStat() };
    case OpCode.getEphemerals:
      return { op, ephemerals: r.readStringVector() ?? [] };
    case OpCode.getAllChildrenNumber:
      return { op, totalNumber: r.readInt() };
    case OpCode.whoAmI: {
      const n = r.readCount('ClientInfo vector', 8);
      const clientInfo = [];
      for (let i = 0; i < n; i++) clientInfo.push({ authScheme: r.readString() ?? '', user: r.readString() ?? '' });
      return { op, clientInfo };
    }
    case OpCode.sasl:
      return { op, token: r.readBuffer() ?? Buffer.alloc(0) };
    case OpCode.addWatch:
      return { op, err: r.remaining >= 4 ? r.readInt() : 0 };
    case OpCode.multi:
    case OpCode.multiRead: {
      const results: MultiResult[] = [];
      for (;;) {
        const type = r.readInt();
        const done = r.readBool();
        const err = r.readInt();
        if (done) break;
        results.push(readMultiResult(type, err, r));
      }
      return { op, results };
    }
    case OpCode.delete:
    case OpCode.ping:
    case OpCode.closeSession:
    case OpCode.auth:
    case OpCode.setWatches:
    case OpCode.setWatches2:
    case OpCode.checkWatches:
    case OpCode.removeWatches:
    case OpCode.deleteContainer:
    case OpCode.check:
      return { op };
    default:
      throw new JuteDecodeError(`no reply layout for opcode ${op}`);
  }
}

function readMultiResult(type: number, err: number, r: JuteReader): MultiResult {
  switch (type) {
    case OpCode.create:
      return { type, err: 0, path: r.readString() ?? '' };
    case OpCode.create2:
      return { type, err: 0, path: r.readString() ?? '', stat: r.readStat() };
    case OpCode.delete:
      return { type, err: 0 };
    case OpCode.check:
      return { type, err: 0 };
    case OpCode.setData:
      return { type, err: 0, stat: r.readStat() };
    case OpCode.getData:
      return { type, err: 0, data: r.readBuffer(), stat: r.readStat() };
    case OpCode.getChildren:
      return { type, err: 0, children: r.readStringVector() ?? [] };
    case OpCode.error:
      return { type, err: r.readInt() };
    default:
      throw new JuteDecodeError(`unknown multi result type ${type} (err ${err})`);
  }
}

/** A watch notification frame: ReplyHeader(xid -1, zxid, 0) + WatcherEvent. */
export function encodeNotification(zxid: bigint, event: WatcherEvent): Buffer {
  const w = JuteWriter.frame(32 + event.path.length);
  writeNotification(w, zxid, event);
  return w.finishFrame();
}

export function writeNotification(w: JuteWriter, zxid: bigint, event: WatcherEvent): void {
  w.writeInt(Xid.notification);
  w.writeLong(zxid);
  w.writeInt(0);
  w.writeInt(event.type);
  w.writeInt(event.state);
  w.writeString(event.path);
}

export function readWatcherEvent(r: JuteReader): WatcherEvent {
  return { type: r.readInt(), state: r.readInt(), path: r.readString() ?? '' };
}

/** Decodes a whole reply payload, given a function that maps its xid to the request's opcode. */
export function decodeReply(payload: Buffer, opOf: (xid: number) => OpCode | undefined): { header: ReplyHeader; response?: Response; event?: WatcherEvent } {
  const r = new JuteReader(payload);
  const header = readReplyHeader(r);
  if (header.xid === Xid.notification) return { header, event: readWatcherEvent(r) };
  // Like the Java client: no body is parsed when err != 0 (a failed multi still has err 0).
  const op = opOf(header.xid);
  if (op === undefined || header.err !== 0) return { header };
  return { header, response: readResponseBody(op, r) };
}
