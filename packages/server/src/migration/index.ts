export { importZooKeeper, type ImportZooKeeperOptions, type ImportZooKeeperReport } from './import-zookeeper.js';
export { exportZooKeeper, type ExportZooKeeperOptions, type ExportZooKeeperReport } from './export-zookeeper.js';
export { ZooKeeperFormatError } from './zookeeper-format-error.js';
