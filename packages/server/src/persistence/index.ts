export type { TxnStore, RecoveryReport, StoreInfo } from './txn-store.js';
export { memoryTxnStore } from './memory-store.js';
export { openTxnStore, type FileStoreOptions } from './file-store.js';
