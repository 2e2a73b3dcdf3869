import { JuteReader } from './jute-reader.js';
import { JuteWriter } from './jute-writer.js';
import { codecOf } from './op-codecs.js';
import type { MultiOp, Request, RequestHeader } from './records.js';

/**
 * Request frames: `int length; RequestHeader(int xid; int type); body`. The body of each
 * opcode is its record in op-codecs.ts (zookeeper.jute's layouts).
 */

/** Encodes a whole request frame (length prefix included). */
export function encodeRequest(xid: number, req: Request): Buffer {
  const w = JuteWriter.forMessage(true, 'data' in req && req.data ? req.data.length : 0);
  w.writeInt(xid);
  w.writeInt(req.op);
  writeRequestBody(w, req);
  return w.take();
}

export function writeRequestBody(w: JuteWriter, req: Request | MultiOp): void {
  codecOf(req.op).request.write(w, req);
}

/** Decodes a request frame's payload (without its length prefix). */
export function decodeRequest(payload: Buffer): { header: RequestHeader; request: Request } {
  const r = new JuteReader(payload);
  const header = { xid: r.readInt(), type: r.readInt() };
  return { header, request: readRequestBody(r, header.type, payload) };
}

/** Reads a request body of opcode `type`; `payload` is the whole frame (deleteContainer's 3.8 form needs it). */
export function readRequestBody(r: JuteReader, type: number, payload?: Buffer): Request {
  return codecOf(type).request.read(r, type, payload);
}
