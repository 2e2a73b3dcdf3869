import { checkACL, fixupACL } from '../acl/acl-check.js';
import type { LastFixedACL } from '../acl/last-fixed-acl.js';
import { ZooError, ZooErrorCode } from '../errors.js';
import { CreateMode, OpCode, Perms } from '../protocol/opcodes.js';
import type {
  CheckVersionRequest,
  CreateRequest,
  CreateTTLRequest,
  DeleteRequest,
  Id,
  SetACLRequest,
  SetDataRequest,
} from '../protocol/records.js';
import { pathProblem } from '../path/validate-path.js';
import { RESERVED_PATHS } from '../tree/data-tree.js';
import { CONTAINER_OWNER, MAX_TTL, isEphemeralOwner, ttlOwner } from '../tree/node-type.js';
import { childCount, type PendingView } from './pending-view.js';
import type { CheckTxn, CreateTxn, DeleteTxn, SetACLTxn, SetDataTxn } from './txn.js';

/**
 * Validation of each write op, in ZooKeeper's order of checks (PrepRequestProcessor), against
 * a PendingView. Each returns the txn op to apply, or throws the ZooError the client gets.
 * Every check comes before the op changes the view's node states (in place: they belong to
 * the view, and a copy per change was garbage on every write).
 */

export interface PrepContext {
  sessionId: bigint;
  authInfo: readonly Id[];
  extendedTypesEnabled: boolean;
  /** fixupACL for creates (the engine's, which remembers the last list). */
  createACL: LastFixedACL;
}

function fail(code: ZooErrorCode, path: string, op: string, message?: string): never {
  throw new ZooError(code, message, { path, op });
}

/** "/a/b" → "/a"; throws BADARGUMENTS when there is no '/' or a NUL (getParentPathAndValidate). */
function parentOf(path: string, op: string): string {
  const slash = path.lastIndexOf('/');
  if (slash === -1 || path.indexOf('\0') !== -1) fail(ZooErrorCode.BADARGUMENTS, path, op, `BADARGUMENTS: invalid path "${path}"`);
  return slash === 0 ? '/' : path.slice(0, slash);
}

function checkVersion(current: number, expected: number, path: string, op: string): number {
  if (expected !== -1 && expected !== current) fail(ZooErrorCode.BADVERSION, path, op, `BADVERSION: expected version ${expected}, node has ${current} (${op} ${path})`);
  return (current + 1) | 0;
}

function validate(path: string, op: string, sequential = false): void {
  const problem = pathProblem(path, sequential);
  if (problem) fail(ZooErrorCode.BADARGUMENTS, path, op, `BADARGUMENTS: invalid path: ${problem}`);
}

export function isValidCreateFlags(flags: number): boolean {
  return Number.isInteger(flags) && flags >= CreateMode.PERSISTENT && flags <= CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL;
}

export function prepCreate(req: CreateRequest | CreateTTLRequest, ctx: PrepContext, view: PendingView): CreateTxn {
  const op = OpCode[req.op];
  const { flags } = req;
  if (!isValidCreateFlags(flags)) fail(ZooErrorCode.BADARGUMENTS, req.path, op, `BADARGUMENTS: invalid create flags ${flags}`);
  const ttlMode = flags === CreateMode.PERSISTENT_WITH_TTL || flags === CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL;
  if (ttlMode && !ctx.extendedTypesEnabled) fail(ZooErrorCode.UNIMPLEMENTED, req.path, op, 'UNIMPLEMENTED: TTL nodes are disabled on this server');
  const ttl = req.op === OpCode.createTTL ? req.ttl : -1n;
  if (ttlMode ? ttl <= 0n || ttl > MAX_TTL : ttl >= 0n)
    fail(ZooErrorCode.BADARGUMENTS, req.path, op, ttlMode ? `BADARGUMENTS: ttl must be in [1, ${MAX_TTL}] ms, got ${ttl}` : `BADARGUMENTS: ttl given for non-TTL create mode ${flags}`);
  const ephemeral = req.op !== OpCode.createContainer && (flags === CreateMode.EPHEMERAL || flags === CreateMode.EPHEMERAL_SEQUENTIAL);
  const sequential = req.op !== OpCode.createContainer && (flags === CreateMode.PERSISTENT_SEQUENTIAL || flags === CreateMode.EPHEMERAL_SEQUENTIAL || flags === CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL);
  if (ephemeral && ctx.sessionId === 0n) fail(ZooErrorCode.EPHEMERALONLOCALSESSION, req.path, op, 'EPHEMERALONLOCALSESSION: ephemeral nodes need a client session');
  const parentName = parentOf(req.path, op);
  const acl = ctx.createACL.fix(req.path, req.acl, ctx.authInfo);
  const parent = view.get(parentName);
  if (!parent) fail(ZooErrorCode.NONODE, req.path, op, `NONODE: parent ${parentName} does not exist (${op} ${req.path})`);
  if (!checkACL(parent.acl, Perms.CREATE, ctx.authInfo)) fail(ZooErrorCode.NOAUTH, req.path, op, `NOAUTH: no CREATE permission on ${parentName} (${op} ${req.path})`);
  const path = sequential ? req.path + formatSequence(parent.childCreates) : req.path;
  validate(path, op);
  if (view.get(path)) fail(ZooErrorCode.NODEEXISTS, path, op);
  if (isEphemeralOwner(parent.owner)) fail(ZooErrorCode.NOCHILDRENFOREPHEMERALS, path, op, `NOCHILDRENFOREPHEMERALS: ${parentName} is ephemeral (${op} ${path})`);

  let owner = 0n;
  if (req.op === OpCode.createContainer) owner = CONTAINER_OWNER;
  else if (ttlMode) owner = ttlOwner(ttl);
  else if (ephemeral) owner = ctx.sessionId;

  const parentCreates = (parent.childCreates + 1) | 0;
  parent.childCreates = parentCreates;
  parent.childDelta++;
  view.set(path, { version: 0, aversion: 0, childCreates: 0, owner, acl, node: null, childDelta: 0 });
  // (not copied: it may be a view of the request's frame, but logging the txn and applying it
  // each copy it, in the same turn; after that only the undo journal may hold the txn, until durable)
  return { type: OpCode.create, path, data: req.data, acl, owner, parentCreates };
}

/** Zeros that pad a sequence number of n digits to 10: ZERO_PADS[10 - n]. */
const ZERO_PADS = ['', '0', '00', '000', '0000', '00000', '000000', '0000000', '00000000', '000000000'];

/** `%010d` of a Java int (a negative counter after overflow prints as "-000000001"). */
export function formatSequence(counter: number): string {
  if (counter < 0) return `-${String(-counter).padStart(9, '0')}`;
  // (a constant pad and the digits: padStart made a pad string of its own on every sequential create)
  const digits = String(counter);
  return digits.length >= 10 ? digits : ZERO_PADS[10 - digits.length] + digits;
}

export function prepDelete(req: DeleteRequest, ctx: PrepContext, view: PendingView): DeleteTxn {
  const op = 'delete';
  const { path } = req;
  const parentName = parentOf(path, op);
  if (RESERVED_PATHS.has(path)) fail(ZooErrorCode.BADARGUMENTS, path, op, `BADARGUMENTS: ${path} is reserved and cannot be deleted`);
  const parent = view.get(parentName);
  if (!parent) fail(ZooErrorCode.NONODE, path, op);
  if (!checkACL(parent.acl, Perms.DELETE, ctx.authInfo)) fail(ZooErrorCode.NOAUTH, path, op, `NOAUTH: no DELETE permission on ${parentName} (delete ${path})`);
  const node = view.get(path);
  if (!node) fail(ZooErrorCode.NONODE, path, op);
  checkVersion(node.version, req.version, path, op);
  if (childCount(node) > 0) fail(ZooErrorCode.NOTEMPTY, path, op);
  parent.childDelta--;
  view.set(path, null);
  return { type: OpCode.delete, path };
}

export function prepSetData(req: SetDataRequest, ctx: PrepContext, view: PendingView): SetDataTxn {
  const op = 'setData';
  const { path } = req;
  validate(path, op);
  const node = view.get(path);
  if (!node) fail(ZooErrorCode.NONODE, path, op);
  if (!checkACL(node.acl, Perms.WRITE, ctx.authInfo)) fail(ZooErrorCode.NOAUTH, path, op, `NOAUTH: no WRITE permission (setData ${path})`);
  const version = checkVersion(node.version, req.version, path, op);
  node.version = version;
  // (not copied: see prepCreate)
  return { type: OpCode.setData, path, data: req.data, version };
}

export function prepSetACL(req: SetACLRequest, ctx: PrepContext, view: PendingView): SetACLTxn {
  const op = 'setACL';
  const { path } = req;
  validate(path, op);
  const acl = fixupACL(path, req.acl, ctx.authInfo);
  const node = view.get(path);
  if (!node) fail(ZooErrorCode.NONODE, path, op);
  if (!checkACL(node.acl, Perms.ADMIN, ctx.authInfo)) fail(ZooErrorCode.NOAUTH, path, op, `NOAUTH: no ADMIN permission (setACL ${path})`);
  const version = checkVersion(node.aversion, req.version, path, op);
  node.aversion = version;
  node.acl = acl;
  return { type: OpCode.setACL, path, acl, version };
}

export function prepCheck(req: CheckVersionRequest, ctx: PrepContext, view: PendingView): CheckTxn {
  const op = 'check';
  const { path } = req;
  validate(path, op);
  const node = view.get(path);
  if (!node) fail(ZooErrorCode.NONODE, path, op);
  if (!checkACL(node.acl, Perms.READ, ctx.authInfo)) fail(ZooErrorCode.NOAUTH, path, op, `NOAUTH: no READ permission (check ${path})`);
  checkVersion(node.version, req.version, path, op);
  return { type: OpCode.check, path };
}

/** deleteContainer: ZooKeeper's reaper op; no ACL check; a normal ephemeral is refused. */
export function prepDeleteContainer(path: string, view: PendingView): DeleteTxn {
  const op = 'deleteContainer';
  const parentName = parentOf(path, op);
  if (RESERVED_PATHS.has(path)) fail(ZooErrorCode.BADARGUMENTS, path, op);
  const node = view.get(path);
  if (!node) fail(ZooErrorCode.NONODE, path, op);
  if (childCount(node) > 0) fail(ZooErrorCode.NOTEMPTY, path, op);
  if (isEphemeralOwner(node.owner)) fail(ZooErrorCode.BADVERSION, path, op);
  const parent = view.get(parentName);
  if (parent) parent.childDelta--;
  view.set(path, null);
  return { type: OpCode.delete, path };
}
