import { JuteReader } from './jute-reader.js';
import { JuteWriter } from './jute-writer.js';
import type { ConnectRequest, ConnectResponse } from './records.js';

/**
 * The handshake records, sent bare (no Request/ReplyHeader) as the first frame each way.
 * The trailing readOnly byte is optional in both: pre-3.4 clients omit it, and a server
 * mirrors the client.
 */
export function encodeConnectRequest(req: ConnectRequest): Buffer {
  const w = JuteWriter.frame(64);
  w.writeInt(req.protocolVersion);
  w.writeLong(req.lastZxidSeen);
  w.writeInt(req.timeOut);
  w.writeLong(req.sessionId);
  w.writeBuffer(req.passwd);
  if (req.readOnly !== undefined) w.writeBool(req.readOnly);
  return w.finishFrame();
}

export function decodeConnectRequest(payload: Buffer): ConnectRequest {
  const r = new JuteReader(payload);
  const req: ConnectRequest = {
    protocolVersion: r.readInt(),
    lastZxidSeen: r.readLong(),
    timeOut: r.readInt(),
    sessionId: r.readLong(),
    passwd: Buffer.from(r.readBuffer() ?? Buffer.alloc(0)),
  };
  if (r.remaining > 0) req.readOnly = r.readBool();
  return req;
}

export function encodeConnectResponse(res: ConnectResponse): Buffer {
  const w = JuteWriter.frame(48);
  w.writeInt(res.protocolVersion);
  w.writeInt(res.timeOut);
  w.writeLong(res.sessionId);
  w.writeBuffer(res.passwd);
  if (res.readOnly !== undefined) w.writeBool(res.readOnly);
  return w.finishFrame();
}

export function decodeConnectResponse(payload: Buffer): ConnectResponse {
  const r = new JuteReader(payload);
  const res: ConnectResponse = {
    protocolVersion: r.readInt(),
    timeOut: r.readInt(),
    sessionId: r.readLong(),
    passwd: Buffer.from(r.readBuffer() ?? Buffer.alloc(0)),
  };
  if (r.remaining > 0) res.readOnly = r.readBool();
  return res;
}
