import { ZooError, ZooErrorCode } from '../errors.js';
import { JuteDecodeError } from './decode-error.js';
import type { JuteReader } from './jute-reader.js';
import type { JuteWriter } from './jute-writer.js';
import { OpCode } from './opcodes.js';
import type * as R from './records.js';

/**
 * Every opcode's records in one place (as kazoo's serialization.py keeps each record's
 * serialize and deserialize in one class): the request body, the reply body, and whether the
 * op may stand inside multi or multiRead. Adding an op is one entry in OPS below; requests.ts
 * and responses.ts only frame and look up.
 */

/** A Jute record: how a value is written and read back, side by side. */
export interface RecordCodec<T> {
  write(w: JuteWriter, value: T): void;
  /** `op` is the opcode being read (several ops share a record); `payload` the whole frame, for the odd record that needs it. */
  read(r: JuteReader, op: number, payload?: Buffer): T;
}

export interface OpCodec {
  request: RecordCodec<R.Request>;
  /** The reply body on success (an empty record for ops that answer with the header alone). */
  response: RecordCodec<R.Response>;
  /** The op may be part of a multi (writes and check) or a multiRead (reads). */
  inside?: OpCode.multi | OpCode.multiRead;
  /** Its result may appear in a multi reply, typed by this opcode (createContainer and createTTL answer as create2). */
  result: boolean;
}

// Each record is typed for its own request/response; the table erases that to the unions.
function record<T>(codec: RecordCodec<T>): RecordCodec<T> {
  return codec;
}

const str = (r: JuteReader): string => r.readString() ?? '';
const vec = (r: JuteReader): string[] => r.readStringVector() ?? [];

// ---- request records ---------------------------------------------------------------------

const createRequest = record<R.CreateRequest>({
  write(w, req) {
    w.writeString(req.path);
    w.writeBuffer(req.data);
    w.writeACLs(req.acl);
    w.writeInt(req.flags);
  },
  read: (r, op) => ({ op: op as R.CreateRequest['op'], path: str(r), data: r.readBuffer(), acl: r.readACLs() ?? [], flags: r.readInt() }),
});

const createTTLRequest = record<R.CreateTTLRequest>({
  write(w, req) {
    createRequest.write(w, { ...req, op: OpCode.create });
    w.writeLong(req.ttl);
  },
  read: (r) => ({ op: OpCode.createTTL, path: str(r), data: r.readBuffer(), acl: r.readACLs() ?? [], flags: r.readInt(), ttl: r.readLong() }),
});

/** delete, check: `path, int version` */
const pathVersionRequest = record<R.DeleteRequest | R.CheckVersionRequest>({
  write(w, req) {
    w.writeString(req.path);
    w.writeInt(req.version);
  },
  read: (r, op) => ({ op: op as OpCode.delete, path: str(r), version: r.readInt() }),
});

/** exists, getData, getChildren(2): `path, bool watch` */
const pathWatchRequest = record<R.ExistsRequest | R.GetDataRequest | R.GetChildrenRequest>({
  write(w, req) {
    w.writeString(req.path);
    w.writeBool(req.watch);
  },
  read: (r, op) => ({ op: op as OpCode.exists, path: str(r), watch: r.readBool() }),
});

/** getACL, sync, getAllChildrenNumber: `path` */
const pathRequest = record<R.GetACLRequest | R.SyncRequest | R.GetAllChildrenNumberRequest>({
  write: (w, req) => w.writeString(req.path),
  read: (r, op) => ({ op: op as OpCode.sync, path: str(r) }),
});

const setDataRequest = record<R.SetDataRequest>({
  write(w, req) {
    w.writeString(req.path);
    w.writeBuffer(req.data);
    w.writeInt(req.version);
  },
  read: (r) => ({ op: OpCode.setData, path: str(r), data: r.readBuffer(), version: r.readInt() }),
});

const setACLRequest = record<R.SetACLRequest>({
  write(w, req) {
    w.writeString(req.path);
    w.writeACLs(req.acl);
    w.writeInt(req.version);
  },
  read: (r) => ({ op: OpCode.setACL, path: str(r), acl: r.readACLs() ?? [], version: r.readInt() }),
});

/** Each op as `MultiHeader(int type, bool done=false, int err=-1)` + its body; a done header ends the list. */
const multiRequest = record<R.MultiRequest>({
  write(w, req) {
    for (const op of req.ops) {
      w.writeInt(op.op);
      w.writeBool(false);
      w.writeInt(-1);
      codecOf(op.op).request.write(w, op);
    }
    w.writeInt(-1);
    w.writeBool(true);
    w.writeInt(-1);
  },
  read(r, op) {
    const ops: R.MultiOp[] = [];
    for (;;) {
      const opType = r.readInt();
      const done = r.readBool();
      r.readInt(); // err, always -1 in requests
      if (done) break;
      if (OPS[opType as OpCode]?.inside !== op) throw new JuteDecodeError(`op ${OpCode[opType] ?? opType} is not allowed in ${OpCode[op]}`);
      ops.push(codecOf(opType).request.read(r, opType) as R.MultiOp);
    }
    return { op: op as R.MultiRequest['op'], ops };
  },
});

/** checkWatches, removeWatches: `path, int type` */
const watchTypeRequest = record<R.CheckWatchesRequest>({
  write(w, req) {
    w.writeString(req.path);
    w.writeInt(req.type);
  },
  read: (r, op) => ({ op: op as R.CheckWatchesRequest['op'], path: str(r), type: r.readInt() }),
});

const addWatchRequest = record<R.AddWatchRequest>({
  write(w, req) {
    w.writeString(req.path);
    w.writeInt(req.mode);
  },
  read: (r) => ({ op: OpCode.addWatch, path: str(r), mode: r.readInt() }),
});

/** setWatches has three path lists; setWatches2 adds the persistent and recursive ones. */
const setWatchesRequest = record<R.SetWatchesRequest>({
  write(w, req) {
    w.writeLong(req.relativeZxid);
    w.writeStringVector(req.dataWatches);
    w.writeStringVector(req.existWatches);
    w.writeStringVector(req.childWatches);
    if (req.op === OpCode.setWatches2) {
      w.writeStringVector(req.persistentWatches);
      w.writeStringVector(req.persistentRecursiveWatches);
    }
  },
  read(r, op) {
    const relativeZxid = r.readLong();
    const dataWatches = vec(r);
    const existWatches = vec(r);
    const childWatches = vec(r);
    const v2 = op === OpCode.setWatches2;
    return { op: op as R.SetWatchesRequest['op'], relativeZxid, dataWatches, existWatches, childWatches, persistentWatches: v2 ? vec(r) : [], persistentRecursiveWatches: v2 ? vec(r) : [] };
  },
});

const authRequest = record<R.AuthRequest>({
  write(w, req) {
    w.writeInt(req.type);
    w.writeString(req.scheme);
    w.writeBuffer(req.auth);
  },
  read: (r) => ({ op: OpCode.auth, type: r.readInt(), scheme: str(r), auth: r.readBuffer() ?? Buffer.alloc(0) }),
});

const saslRequest = record<R.SaslRequest>({
  write: (w, req) => w.writeBuffer(req.token),
  read: (r) => ({ op: OpCode.sasl, token: r.readBuffer() ?? Buffer.alloc(0) }),
});

const getEphemeralsRequest = record<R.GetEphemeralsRequest>({
  write: (w, req) => w.writeString(req.prefixPath),
  read: (r) => ({ op: OpCode.getEphemerals, prefixPath: str(r) }),
});

const reconfigRequest = record<R.ReconfigRequest>({
  write(w, req) {
    w.writeString(req.joiningServers);
    w.writeString(req.leavingServers);
    w.writeString(req.newMembers);
    w.writeLong(req.curConfigId);
  },
  read: (r) => ({ op: OpCode.reconfig, joiningServers: r.readString(), leavingServers: r.readString(), newMembers: r.readString(), curConfigId: r.readLong() }),
});

const deleteContainerRequest = record<R.DeleteContainerRequest>({
  write: (w, req) => w.writeBuffer(Buffer.from(req.path, 'utf8')),
  read(r, _op, payload) {
    // 3.9 sends a Jute buffer; 3.8 the raw path bytes. Tell them apart by whether the
    // length prefix exactly covers the rest.
    const start = r.offset;
    if (r.remaining >= 4 && payload && payload.readInt32BE(start) === r.remaining - 4) return { op: OpCode.deleteContainer, path: (r.readBuffer() ?? Buffer.alloc(0)).toString('utf8') };
    const rest = payload ? payload.toString('utf8', start) : '';
    r.offset += r.remaining;
    return { op: OpCode.deleteContainer, path: rest };
  },
});

const emptyRequest = record<R.EmptyRequest>({
  write: () => {},
  read: (_r, op) => ({ op: op as R.EmptyRequest['op'] }),
});

// ---- response records --------------------------------------------------------------------

/** create (the pre-3.5 reply), sync: `path` */
const pathResponse = record<R.CreateResponse | R.SyncResponse>({
  write: (w, res) => w.writeString(res.path),
  read: (r, op) => ({ op: op as OpCode.create, path: str(r) }),
});

/** create2, createContainer, createTTL: `path, Stat` */
const pathStatResponse = record<R.Create2Response>({
  write(w, res) {
    w.writeString(res.path);
    w.writeStat(res.stat);
  },
  read: (r, op) => ({ op: op as R.Create2Response['op'], path: str(r), stat: r.readStat() }),
});

/** exists, setData, setACL: `Stat` */
const statResponse = record<R.StatResponse>({
  write: (w, res) => w.writeStat(res.stat),
  read: (r, op) => ({ op: op as R.StatResponse['op'], stat: r.readStat() }),
});

/** getData, reconfig (the new config as data): `buffer data, Stat` */
const dataStatResponse = record<R.GetDataResponse>({
  write(w, res) {
    w.writeBuffer(res.data);
    w.writeStat(res.stat);
  },
  read: (r, op) => ({ op: op as R.GetDataResponse['op'], data: r.readBuffer(), stat: r.readStat() }),
});

const getACLResponse = record<R.GetACLResponse>({
  write(w, res) {
    w.writeACLs(res.acl);
    w.writeStat(res.stat);
  },
  read: (r) => ({ op: OpCode.getACL, acl: r.readACLs() ?? [], stat: r.readStat() }),
});

const getChildrenResponse = record<R.GetChildrenResponse>({
  write: (w, res) => w.writeStringVector(res.children),
  read: (r) => ({ op: OpCode.getChildren, children: vec(r) }),
});

const getChildren2Response = record<R.GetChildren2Response>({
  write(w, res) {
    w.writeStringVector(res.children);
    w.writeStat(res.stat);
  },
  read: (r) => ({ op: OpCode.getChildren2, children: vec(r), stat: r.readStat() }),
});

const getEphemeralsResponse = record<R.GetEphemeralsResponse>({
  write: (w, res) => w.writeStringVector(res.ephemerals),
  read: (r) => ({ op: OpCode.getEphemerals, ephemerals: vec(r) }),
});

const getAllChildrenNumberResponse = record<R.GetAllChildrenNumberResponse>({
  write: (w, res) => w.writeInt(res.totalNumber),
  read: (r) => ({ op: OpCode.getAllChildrenNumber, totalNumber: r.readInt() }),
});

const whoAmIResponse = record<R.WhoAmIResponse>({
  write(w, res) {
    w.writeInt(res.clientInfo.length);
    for (const c of res.clientInfo) {
      w.writeString(c.authScheme);
      w.writeString(c.user);
    }
  },
  read(r) {
    const n = r.readCount('ClientInfo vector', 8);
    const clientInfo = [];
    for (let i = 0; i < n; i++) clientInfo.push({ authScheme: str(r), user: str(r) });
    return { op: OpCode.whoAmI, clientInfo };
  },
});

const saslResponse = record<R.SaslResponse>({
  write: (w, res) => w.writeBuffer(res.token),
  read: (r) => ({ op: OpCode.sasl, token: r.readBuffer() ?? Buffer.alloc(0) }),
});

/** An ErrorResponse(0) body, which some servers leave out: empty means success. */
const addWatchResponse = record<R.AddWatchResponse>({
  write: (w, res) => w.writeInt(res.err),
  read: (r) => ({ op: OpCode.addWatch, err: r.remaining >= 4 ? r.readInt() : 0 }),
});

/**
 * One result per op as `MultiHeader(int type, bool done, int err)` + a body: the op's own
 * reply record, or `int err` for a failed one (type -1); a done header ends the list.
 */
const multiResponse = record<R.MultiResponse>({
  write(w, res) {
    for (const result of res.results) {
      w.writeInt(result.type);
      w.writeBool(false);
      w.writeInt(result.err);
      if (result.type === OpCode.error) w.writeInt(result.err);
      else codecOf(result.type).response.write(w, { ...result, op: result.type } as unknown as R.Response);
    }
    w.writeInt(-1);
    w.writeBool(true);
    w.writeInt(-1);
  },
  read(r, op) {
    const results: R.MultiResult[] = [];
    for (;;) {
      const type = r.readInt();
      const done = r.readBool();
      const err = r.readInt();
      if (done) break;
      if (type === OpCode.error) {
        results.push({ type, err: r.readInt() });
        continue;
      }
      if (!OPS[type as OpCode]?.result) throw new JuteDecodeError(`unknown multi result type ${type} (err ${err})`);
      const { op: _op, ...fields } = codecOf(type).response.read(r, type);
      results.push({ type, err: 0, ...fields } as R.MultiResult);
    }
    return { op: op as R.MultiResponse['op'], results };
  },
});

const emptyResponse = record<R.EmptyResponse>({
  write: () => {},
  read: (_r, op) => ({ op: op as R.EmptyResponse['op'] }),
});

// ---- the ops ---------------------------------------------------------------------------

function op<Req extends R.Request, Res extends R.Response>(request: RecordCodec<Req>, response: RecordCodec<Res>, inside?: OpCodec['inside'], result = inside !== undefined): OpCodec {
  return { request: request as unknown as RecordCodec<R.Request>, response: response as unknown as RecordCodec<R.Response>, inside, result };
}

const OPS: Partial<Record<OpCode, OpCodec>> = {
  [OpCode.create]: op(createRequest, pathResponse, OpCode.multi),
  [OpCode.create2]: op(createRequest, pathStatResponse, OpCode.multi),
  [OpCode.createContainer]: op(createRequest, pathStatResponse, OpCode.multi, false),
  [OpCode.createTTL]: op(createTTLRequest, pathStatResponse, OpCode.multi, false),
  [OpCode.delete]: op(pathVersionRequest, emptyResponse, OpCode.multi),
  [OpCode.check]: op(pathVersionRequest, emptyResponse, OpCode.multi),
  [OpCode.setData]: op(setDataRequest, statResponse, OpCode.multi),
  [OpCode.exists]: op(pathWatchRequest, statResponse),
  [OpCode.getData]: op(pathWatchRequest, dataStatResponse, OpCode.multiRead),
  [OpCode.getChildren]: op(pathWatchRequest, getChildrenResponse, OpCode.multiRead),
  [OpCode.getChildren2]: op(pathWatchRequest, getChildren2Response),
  [OpCode.getACL]: op(pathRequest, getACLResponse),
  [OpCode.setACL]: op(setACLRequest, statResponse),
  [OpCode.sync]: op(pathRequest, pathResponse),
  [OpCode.getAllChildrenNumber]: op(pathRequest, getAllChildrenNumberResponse),
  [OpCode.multi]: op(multiRequest, multiResponse),
  [OpCode.multiRead]: op(multiRequest, multiResponse),
  [OpCode.checkWatches]: op(watchTypeRequest, emptyResponse),
  [OpCode.removeWatches]: op(watchTypeRequest, emptyResponse),
  [OpCode.addWatch]: op(addWatchRequest, addWatchResponse),
  [OpCode.setWatches]: op(setWatchesRequest, emptyResponse),
  [OpCode.setWatches2]: op(setWatchesRequest, emptyResponse),
  [OpCode.auth]: op(authRequest, emptyResponse),
  [OpCode.sasl]: op(saslRequest, saslResponse),
  [OpCode.getEphemerals]: op(getEphemeralsRequest, getEphemeralsResponse),
  [OpCode.reconfig]: op(reconfigRequest, dataStatResponse),
  [OpCode.deleteContainer]: op(deleteContainerRequest, emptyResponse),
  [OpCode.ping]: op(emptyRequest, emptyResponse),
  [OpCode.closeSession]: op(emptyRequest, emptyResponse),
  [OpCode.whoAmI]: op(emptyRequest, whoAmIResponse),
};

/** The records of `type`; an opcode Zoo does not know is UNIMPLEMENTED (what the server answers). */
export function codecOf(type: number): OpCodec {
  const codec = OPS[type as OpCode];
  if (!codec) throw new ZooError(ZooErrorCode.UNIMPLEMENTED, `UNIMPLEMENTED: unknown opcode ${type}`);
  return codec;
}

/** The reply record of `type` (the request's opcode); undefined for an opcode Zoo does not know. */
export function responseCodecOf(type: number): RecordCodec<R.Response> | undefined {
  return OPS[type as OpCode]?.response;
}
