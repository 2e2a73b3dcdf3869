import { compileJava, curatorAvailable } from './java-fixture.js';
import { requireZooKeeper } from './java.js';
import { sideBySide } from './side-by-side.js';

/**
 * For Curator interop suites: ZooKeeper is there (requireZooKeeper) and so are Debian's Curator
 * jars — or CI=true, where a missing jar then fails the suite in start() instead of skipping it.
 */
export function requireCurator(suite: string): boolean {
  return requireZooKeeper(suite) && (curatorAvailable() || process.env.CI === 'true');
}

export interface CuratorTarget {
  readonly name: 'Apache ZooKeeper' | 'ZooServer';
  /** short, for paths that must differ between the two servers */
  readonly tag: 'zk' | 'zoo';
  connectionString(): string;
}

export interface CuratorSideBySide {
  /** Compiles the Java fixtures against Curator and starts both servers: for beforeAll. */
  start(): Promise<void>;
  /** For afterAll. */
  stop(): Promise<void>;
  /** The compiled fixtures' class directory, for runJava / runJavaToEnd. */
  classes(): string;
  /** The real ZooKeeper and the other server, to run each case against both. */
  readonly targets: readonly CuratorTarget[];
}

/** Curator (Java) fixtures on one side, Zoo on the other, against a real ZooKeeper and `startOther`'s server. */
export function curatorSideBySide<S extends { close(): Promise<void>; readonly connectionString: string }>(startOther: () => Promise<S>, fixtures: string[]): CuratorSideBySide {
  const servers = sideBySide(startOther);
  let classes: string | undefined;
  return {
    async start() {
      if (!curatorAvailable()) throw new Error('Curator jars missing (apt-get install libcurator-recipes-java libcurator-discovery-java)');
      classes = compileJava(fixtures);
      await servers.start();
    },
    stop: servers.stop,
    classes() {
      if (!classes) throw new Error('curatorSideBySide: not started');
      return classes;
    },
    targets: [
      { name: 'Apache ZooKeeper', tag: 'zk', connectionString: () => servers.zk().connectionString },
      { name: 'ZooServer', tag: 'zoo', connectionString: () => servers.other().connectionString },
    ],
  };
}
