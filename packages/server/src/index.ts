export { ZooServer, type ZooServerOptions } from './zoo-server.js';
export { parseZooCfg, serverOptionsFromConfig, type ZooCfg } from './config.js';
export { openTxnStore, memoryTxnStore, type TxnStore, type RecoveryReport, type StoreInfo, type FileStoreOptions } from './persistence/index.js';
