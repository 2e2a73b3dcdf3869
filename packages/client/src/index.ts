export { ZooClient } from './zoo-client.js';
export type { ZooClientOptions, ZooClientEvents, ConnectionState, SaslOptions, ZooState, CreateOptions, CreateModeName, WatchOption } from './client-options.js';
export type { OperationOptions } from './dispatcher.js';
export { ZooAbortError } from './abort-error.js';
export { Transaction, TransactionError, type OpResult } from './transaction.js';
export { retry, isRetryable, isDisconnection, ExponentialBackoffRetry, RetryNTimes, RetryUntilElapsed, type RetryPolicy } from './retry.js';
export { parseEnsembleConfig, type EnsembleConfig, type EnsembleMember } from './ensemble-config.js';
export { parseConnectionString, type ConnectionString, type HostPort } from './connection-string.js';
export type { WatchedEvent, WatchListener } from './watch-registry.js';
export type { WatchStream } from './watch-stream.js';
// the protocol enums and the error class users compare against
export { CreateMode, EventType, KeeperState, WatcherType, AddWatchMode, Perms, ZooError, ZooErrorCode, OPEN_ACL_UNSAFE, CREATOR_ALL_ACL, READ_ACL_UNSAFE } from '@zoo/core';
export type { ACL, Id, Stat, ClientInfo } from '@zoo/core';
export { ZooSession, type ZooSessionEvents } from './zoo-session.js';
export { toCreateMode, isSequential } from './create-mode.js';
