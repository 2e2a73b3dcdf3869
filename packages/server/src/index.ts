export { ZooServer, type ZooServerOptions } from './zoo-server.js';
export type { ServerState } from './server-state.js';
export { DEFAULT_ADMISSION_LIMITS, type AdmissionLimits, type AdmissionStats } from './admission.js';
export { parseZooCfg, serverOptionsFromConfig, serverOptionsFromFlags, type ZooCfg, type ServerFlags } from './config.js';
export { openTxnStore, memoryTxnStore, type TxnStore, type RecoveryReport, type StoreInfo, type FileStoreOptions } from './persistence/index.js';
export { importZooKeeper, exportZooKeeper, ZooKeeperFormatError, type ImportZooKeeperOptions, type ImportZooKeeperReport, type ExportZooKeeperOptions, type ExportZooKeeperReport } from './migration/index.js';
