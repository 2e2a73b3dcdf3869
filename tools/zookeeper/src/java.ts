import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

/** Where Debian's zookeeper package puts its jars. */
export const JAR_DIR = '/usr/share/java';

/** The classpath of Apache ZooKeeper from Debian's packages (zookeeper.jar's manifest pulls in the rest). */
export function zookeeperClasspath(extra: string[] = []): string {
  const jars = ['zookeeper.jar', 'zookeeper-jute.jar', 'slf4j-api.jar', 'slf4j-simple.jar', ...extra].map((j) => `${JAR_DIR}/${j}`);
  return jars.filter((j) => existsSync(j)).join(':');
}

export interface Availability {
  available: boolean;
  reason: string;
}

let cached: Availability | undefined;

/** Is a real Apache ZooKeeper (and Java) on this machine? */
export function zooKeeperAvailability(): Availability {
  if (cached) return cached;
  if (!existsSync(`${JAR_DIR}/zookeeper.jar`)) return (cached = { available: false, reason: `${JAR_DIR}/zookeeper.jar not found (apt-get install zookeeper)` });
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore' });
  } catch {
    return (cached = { available: false, reason: 'java not found on PATH' });
  }
  return (cached = { available: true, reason: 'ok' });
}

/**
 * For interop suites: true when ZooKeeper is there. Without it a developer machine gets a
 * loud warning and the suite skips; under CI=true it is an error, so CI can never pass
 * without having run the interop tests.
 */
export function requireZooKeeper(suite: string): boolean {
  const { available, reason } = zooKeeperAvailability();
  if (available) return true;
  const message = `interop suite "${suite}" needs Apache ZooKeeper: ${reason}`;
  if (process.env.CI === 'true') throw new Error(`${message} (CI=true: this is a failure, not a skip)`);
  console.warn(`\n${'!'.repeat(78)}\n!! SKIPPING ${message}\n${'!'.repeat(78)}\n`);
  return false;
}
