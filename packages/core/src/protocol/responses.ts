import { JuteDecodeError } from './decode-error.js';
import { JuteReader } from './jute-reader.js';
import { JuteWriter } from './jute-writer.js';
import { OpCode, Xid } from './opcodes.js';
import { responseCodecOf } from './op-codecs.js';
import type { ReplyHeader, Response, WatcherEvent } from './records.js';

/**
 * Reply frames: `int length; ReplyHeader(int xid; long zxid; int err); body`. The body is
 * present only when err is 0 and the op has a reply record (multi always has one).
 */

/** Encodes a whole reply frame; the body is written only when `header.err === 0`. */
export function encodeReply(header: ReplyHeader, response?: Response): Buffer {
  const w = JuteWriter.forMessage(true, response && response.op === OpCode.getData && response.data ? response.data.length : 0);
  writeReply(w, header, response);
  return w.take();
}

/** Writes header + body into an existing writer (for batching several frames). */
export function writeReply(w: JuteWriter, header: ReplyHeader, response?: Response): void {
  w.writeInt(header.xid);
  w.writeLong(header.zxid);
  w.writeInt(header.err);
  if (header.err === 0 && response) writeResponseBody(w, response);
}

/** Writes the reply body of `res.op` (nothing for ops that answer with the header alone). */
export function writeResponseBody(w: JuteWriter, res: Response): void {
  responseCodecOf(res.op)?.write(w, res);
}

export function readReplyHeader(r: JuteReader): ReplyHeader {
  return { xid: r.readInt(), zxid: r.readLong(), err: r.readInt() };
}

/**
 * Decodes a reply body, given the opcode of the request it answers. Trailing bytes are
 * ignored (a createContainer reply read as create, for instance).
 */
export function readResponseBody(op: OpCode, r: JuteReader): Response {
  const codec = responseCodecOf(op);
  if (!codec) throw new JuteDecodeError(`no reply layout for opcode ${op}`);
  return codec.read(r, op);
}

/** A watch notification frame: ReplyHeader(xid -1, zxid, 0) + WatcherEvent. */
export function encodeNotification(zxid: bigint, event: WatcherEvent): Buffer {
  const w = JuteWriter.forMessage(true);
  writeNotification(w, zxid, event);
  return w.take();
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
