/**
 * The records of the ZooKeeper client protocol (zookeeper.jute), as TypeScript types.
 * 64-bit fields (zxids, times, session ids) are bigint. Encoding lives in codec.ts.
 */
import type { OpCode } from './opcodes.js';

export interface Id {
  scheme: string;
  id: string;
}

export interface ACL {
  perms: number;
  id: Id;
}

export interface Stat {
  czxid: bigint;
  mzxid: bigint;
  ctime: bigint;
  mtime: bigint;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: bigint;
  dataLength: number;
  numChildren: number;
  pzxid: bigint;
}

export interface ConnectRequest {
  protocolVersion: number;
  lastZxidSeen: bigint;
  timeOut: number;
  sessionId: bigint;
  passwd: Buffer;
  /** undefined when the client omitted the trailing byte (pre-3.4 clients). */
  readOnly?: boolean;
}

export interface ConnectResponse {
  protocolVersion: number;
  timeOut: number;
  sessionId: bigint;
  passwd: Buffer;
  /** undefined: the byte is omitted (mirrors a request that omitted it). */
  readOnly?: boolean;
}

export interface RequestHeader {
  xid: number;
  type: number;
}

export interface ReplyHeader {
  xid: number;
  zxid: bigint;
  err: number;
}

export interface WatcherEvent {
  type: number;
  state: number;
  path: string;
}

export interface ClientInfo {
  authScheme: string;
  user: string;
}

// ---- request bodies, discriminated by `op` -------------------------------------------

export interface CreateRequest {
  op: OpCode.create | OpCode.create2 | OpCode.createContainer;
  path: string;
  data: Buffer | null;
  acl: ACL[];
  flags: number;
}
export interface CreateTTLRequest {
  op: OpCode.createTTL;
  path: string;
  data: Buffer | null;
  acl: ACL[];
  flags: number;
  ttl: bigint;
}
export interface DeleteRequest {
  op: OpCode.delete;
  path: string;
  version: number;
}
export interface ExistsRequest {
  op: OpCode.exists;
  path: string;
  watch: boolean;
}
export interface GetDataRequest {
  op: OpCode.getData;
  path: string;
  watch: boolean;
}
export interface SetDataRequest {
  op: OpCode.setData;
  path: string;
  data: Buffer | null;
  version: number;
}
export interface GetACLRequest {
  op: OpCode.getACL;
  path: string;
}
export interface SetACLRequest {
  op: OpCode.setACL;
  path: string;
  acl: ACL[];
  version: number;
}
export interface GetChildrenRequest {
  op: OpCode.getChildren | OpCode.getChildren2;
  path: string;
  watch: boolean;
}
export interface SyncRequest {
  op: OpCode.sync;
  path: string;
}
export interface CheckVersionRequest {
  op: OpCode.check;
  path: string;
  version: number;
}
export interface MultiRequest {
  op: OpCode.multi | OpCode.multiRead;
  ops: MultiOp[];
}
/** Ops allowed inside multi (writes + check) and multiRead (getData/getChildren). */
export type MultiOp =
  | CreateRequest
  | CreateTTLRequest
  | DeleteRequest
  | SetDataRequest
  | CheckVersionRequest
  | GetDataRequest
  | (GetChildrenRequest & { op: OpCode.getChildren });
export interface CheckWatchesRequest {
  op: OpCode.checkWatches | OpCode.removeWatches;
  path: string;
  type: number;
}
export interface AddWatchRequest {
  op: OpCode.addWatch;
  path: string;
  mode: number;
}
export interface SetWatchesRequest {
  op: OpCode.setWatches | OpCode.setWatches2;
  relativeZxid: bigint;
  dataWatches: string[];
  existWatches: string[];
  childWatches: string[];
  /** setWatches2 only (empty for setWatches). */
  persistentWatches: string[];
  persistentRecursiveWatches: string[];
}
export interface AuthRequest {
  op: OpCode.auth;
  type: number;
  scheme: string;
  auth: Buffer;
}
export interface SaslRequest {
  op: OpCode.sasl;
  token: Buffer;
}
export interface GetEphemeralsRequest {
  op: OpCode.getEphemerals;
  prefixPath: string;
}
export interface GetAllChildrenNumberRequest {
  op: OpCode.getAllChildrenNumber;
  path: string;
}
export interface ReconfigRequest {
  op: OpCode.reconfig;
  joiningServers: string | null;
  leavingServers: string | null;
  newMembers: string | null;
  curConfigId: bigint;
}
export interface DeleteContainerRequest {
  op: OpCode.deleteContainer;
  path: string;
}
/** Requests without a body. */
export interface EmptyRequest {
  op: OpCode.ping | OpCode.closeSession | OpCode.whoAmI;
}

export type Request =
  | CreateRequest
  | CreateTTLRequest
  | DeleteRequest
  | ExistsRequest
  | GetDataRequest
  | SetDataRequest
  | GetACLRequest
  | SetACLRequest
  | GetChildrenRequest
  | SyncRequest
  | CheckVersionRequest
  | MultiRequest
  | CheckWatchesRequest
  | AddWatchRequest
  | SetWatchesRequest
  | AuthRequest
  | SaslRequest
  | GetEphemeralsRequest
  | GetAllChildrenNumberRequest
  | ReconfigRequest
  | DeleteContainerRequest
  | EmptyRequest;

// ---- response bodies, discriminated by `op` (the request's opcode) ----------------------

export interface CreateResponse {
  op: OpCode.create;
  path: string;
}
export interface Create2Response {
  op: OpCode.create2 | OpCode.createContainer | OpCode.createTTL;
  path: string;
  stat: Stat;
}
/** exists, setData, setACL */
export interface StatResponse {
  op: OpCode.exists | OpCode.setData | OpCode.setACL;
  stat: Stat;
}
export interface GetDataResponse {
  op: OpCode.getData | OpCode.reconfig;
  data: Buffer | null;
  stat: Stat;
}
export interface GetACLResponse {
  op: OpCode.getACL;
  acl: ACL[];
  stat: Stat;
}
export interface GetChildrenResponse {
  op: OpCode.getChildren;
  children: string[];
}
export interface GetChildren2Response {
  op: OpCode.getChildren2;
  children: string[];
  stat: Stat;
}
export interface SyncResponse {
  op: OpCode.sync;
  path: string;
}
export interface GetEphemeralsResponse {
  op: OpCode.getEphemerals;
  ephemerals: string[];
}
export interface GetAllChildrenNumberResponse {
  op: OpCode.getAllChildrenNumber;
  totalNumber: number;
}
export interface WhoAmIResponse {
  op: OpCode.whoAmI;
  clientInfo: ClientInfo[];
}
export interface SaslResponse {
  op: OpCode.sasl;
  token: Buffer;
}
/** addWatch replies with an ErrorResponse(0) body. */
export interface AddWatchResponse {
  op: OpCode.addWatch;
  err: number;
}
/** One result of multi/multiRead. `type` is the result type (opcode, or -1 for an error). */
export type MultiResult =
  | { type: OpCode.create; err: 0; path: string }
  | { type: OpCode.create2; err: 0; path: string; stat: Stat }
  | { type: OpCode.delete; err: 0 }
  | { type: OpCode.setData; err: 0; stat: Stat }
  | { type: OpCode.check; err: 0 }
  | { type: OpCode.getData; err: 0; data: Buffer | null; stat: Stat }
  | { type: OpCode.getChildren; err: 0; children: string[] }
  | { type: OpCode.error; err: number };
export interface MultiResponse {
  op: OpCode.multi | OpCode.multiRead;
  results: MultiResult[];
}
/** Ops whose success reply has no body (delete, ping, closeSession, auth, setWatches...). */
export interface EmptyResponse {
  op:
    | OpCode.delete
    | OpCode.ping
    | OpCode.closeSession
    | OpCode.auth
    | OpCode.setWatches
    | OpCode.setWatches2
    | OpCode.checkWatches
    | OpCode.removeWatches
    | OpCode.deleteContainer
    | OpCode.check;
}

export type Response =
  | CreateResponse
  | Create2Response
  | StatResponse
  | GetDataResponse
  | GetACLResponse
  | GetChildrenResponse
  | GetChildren2Response
  | SyncResponse
  | GetEphemeralsResponse
  | GetAllChildrenNumberResponse
  | WhoAmIResponse
  | SaslResponse
  | AddWatchResponse
  | MultiResponse
  | EmptyResponse;
