export const VERSION = '0.1.0';
export * from './errors.js';
export * from './clock.js';
export * from './protocol/opcodes.js';
export type * from './protocol/records.js';
export * from './path/validate-path.js';
export * from './path/chroot.js';
export * from './acl/ids.js';
export { generateDigest } from './acl/digest.js';
export { checkACL, fixupACL } from './acl/acl-check.js';
export { ipMatches } from './acl/ip.js';
export type { Watcher } from './watch/watcher.js';
export { sessionPassword } from './session/session-password.js';
export type { Session } from './session/session-tracker.js';
export type { Txn, TxnBody, TxnOp } from './engine/txn.js';
export { CONTAINER_OWNER, ttlOwner } from './tree/node-type.js';
export { encodeTxn, writeTxn, decodeTxn, TxnReplayDecoder } from './engine/txn-codec.js';
export { ZooEngine } from './engine/zoo-engine.js';
export type { ConnectionContext, ConnectResult, EngineStats, ProcessResult, WatchNotification, ZooEngineOptions } from './engine/zoo-engine.js';
export { JuteDecodeError } from './protocol/decode-error.js';
export { JuteReader } from './protocol/jute-reader.js';
export { JuteWriter } from './protocol/jute-writer.js';
export { encodeRequest, decodeRequest, readRequestBody, writeRequestBody } from './protocol/requests.js';
export {
  encodeReply,
  writeReply,
  writeResponseBody,
  readReplyHeader,
  readResponseBody,
  encodeNotification,
  writeNotification,
  readWatcherEvent,
  decodeReply,
} from './protocol/responses.js';
export { encodeConnectRequest, decodeConnectRequest, encodeConnectResponse, decodeConnectResponse } from './protocol/connect.js';
export { FrameDecoder, DEFAULT_MAX_FRAME, FOUR_LETTER_WORDS } from './protocol/framer.js';
