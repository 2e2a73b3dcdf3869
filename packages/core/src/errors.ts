/** ZooKeeper's error codes (KeeperException.Code), with the same names and numbers. */
export enum ZooErrorCode {
  OK = 0,
  SYSTEMERROR = -1,
  RUNTIMEINCONSISTENCY = -2,
  DATAINCONSISTENCY = -3,
  CONNECTIONLOSS = -4,
  MARSHALLINGERROR = -5,
  UNIMPLEMENTED = -6,
  OPERATIONTIMEOUT = -7,
  BADARGUMENTS = -8,
  UNKNOWNSESSION = -12,
  NEWCONFIGNOQUORUM = -13,
  RECONFIGINPROGRESS = -14,
  APIERROR = -100,
  NONODE = -101,
  NOAUTH = -102,
  BADVERSION = -103,
  NOCHILDRENFOREPHEMERALS = -108,
  NODEEXISTS = -110,
  NOTEMPTY = -111,
  SESSIONEXPIRED = -112,
  INVALIDCALLBACK = -113,
  INVALIDACL = -114,
  AUTHFAILED = -115,
  SESSIONMOVED = -118,
  NOTREADONLY = -119,
  EPHEMERALONLOCALSESSION = -120,
  NOWATCHER = -121,
  REQUESTTIMEOUT = -122,
  RECONFIGDISABLED = -123,
  SESSIONCLOSEDREQUIRESASLAUTH = -124,
  QUOTAEXCEEDED = -125,
  THROTTLEDOP = -127,
}

const DESCRIPTIONS: Partial<Record<ZooErrorCode, string>> = {
  [ZooErrorCode.RUNTIMEINCONSISTENCY]: 'runtime inconsistency (an earlier op of the transaction failed)',
  [ZooErrorCode.CONNECTIONLOSS]: 'connection lost',
  [ZooErrorCode.MARSHALLINGERROR]: 'request could not be decoded',
  [ZooErrorCode.UNIMPLEMENTED]: 'operation not implemented',
  [ZooErrorCode.OPERATIONTIMEOUT]: 'operation timed out',
  [ZooErrorCode.BADARGUMENTS]: 'bad arguments',
  [ZooErrorCode.NONODE]: 'no node',
  [ZooErrorCode.NOAUTH]: 'not authorized',
  [ZooErrorCode.BADVERSION]: 'bad version',
  [ZooErrorCode.NOCHILDRENFOREPHEMERALS]: 'ephemeral nodes cannot have children',
  [ZooErrorCode.NODEEXISTS]: 'node exists',
  [ZooErrorCode.NOTEMPTY]: 'node has children',
  [ZooErrorCode.SESSIONEXPIRED]: 'session expired',
  [ZooErrorCode.INVALIDACL]: 'invalid ACL',
  [ZooErrorCode.AUTHFAILED]: 'authentication failed',
  [ZooErrorCode.SESSIONMOVED]: 'session moved',
  [ZooErrorCode.NOTREADONLY]: 'not a read-only call',
  [ZooErrorCode.NOWATCHER]: 'no such watcher',
  [ZooErrorCode.REQUESTTIMEOUT]: 'request timed out',
  [ZooErrorCode.QUOTAEXCEEDED]: 'quota exceeded',
};

/** The name of a code, e.g. `NONODE` for -101; `UNKNOWN(-42)` for an unassigned value. */
export function errorCodeName(code: number): string {
  const name = (ZooErrorCode as unknown as Record<number, string | undefined>)[code];
  return name ?? `UNKNOWN(${code})`;
}

export interface ZooErrorOptions {
  /** The znode path the failed operation was about. */
  path?: string;
  /** The operation, e.g. `create`, `setData`, `multi`. */
  op?: string;
  cause?: unknown;
}

/**
 * The one error class of Zoo. `code` is ZooKeeper's error code, so
 * `err.code === ZooErrorCode.NONODE` works on errors from Zoo's server and from Apache ZooKeeper.
 */
export class ZooError extends Error {
  override readonly name = 'ZooError';
  readonly code: ZooErrorCode;
  readonly path?: string;
  readonly op?: string;

  constructor(code: ZooErrorCode, message?: string, options: ZooErrorOptions = {}) {
    const what = DESCRIPTIONS[code] ?? errorCodeName(code).toLowerCase();
    const where = [options.op, options.path].filter(Boolean).join(' ');
    super(message ?? `${errorCodeName(code)}: ${what}${where ? ` (${where})` : ''}`, { cause: options.cause });
    this.code = code;
    this.path = options.path;
    this.op = options.op;
  }

  /** The code's name, e.g. `NONODE`. */
  get codeName(): string {
    return errorCodeName(this.code);
  }
}
