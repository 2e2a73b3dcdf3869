export { startZooKeeper, type ZooKeeperEnsemble, type ZooKeeperNode, type ZooKeeperOptions } from './zookeeper-process.js';
export { sideBySide, type SideBySide } from './side-by-side.js';
export { requireZooKeeper, zooKeeperAvailability, zookeeperClasspath, JAR_DIR, type Availability } from './java.js';
export { freePort } from './free-port.js';
export { fourLetterWord } from './four-letter.js';
export { runZkCli, runZkCliScript } from './zk-cli.js';
export { compileJava, runJava, runJavaToEnd, curatorAvailable, CURATOR_JARS } from './java-fixture.js';
export { until } from './until.js';
export { requireKazoo, kazooAvailability, runKazoo, KAZOO_PYTHON, type KazooRun, type KazooRunOptions } from './kazoo.js';
