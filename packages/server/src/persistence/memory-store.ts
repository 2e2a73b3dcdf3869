import type { RecoveryReport, StoreInfo, TxnStore } from './txn-store.js';

/** In-memory mode (no dataDir): nothing is written, so nothing is waited for. */
export function memoryTxnStore(): TxnStore {
  return {
    durable: false,
    recover: async (): Promise<RecoveryReport> => ({ snapshotZxid: 0n, replayed: 0, truncatedBytes: 0 }),
    append: () => {},
    sync: async () => {},
    maybeSnapshot: () => {},
    close: async () => {},
    info: (): StoreInfo => ({ logBytes: 0, snapshotBytes: 0 }),
  };
}
