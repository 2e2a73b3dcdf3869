import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fourLetterWord } from './four-letter.js';
import { freePort } from './free-port.js';
import { zookeeperClasspath } from './java.js';

export interface ZooKeeperNode {
  readonly id: number;
  readonly clientPort: number;
  readonly dataDir: string;
  /** standalone | leader | follower | '' (down) */
  mode(): Promise<string>;
  readonly running: boolean;
  /** The JVM's pid while it runs. */
  readonly pid: number | undefined;
  kill(signal?: NodeJS.Signals): Promise<void>;
  start(): Promise<void>;
}

export interface ZooKeeperOptions {
  nodes?: 1 | 3;
  tickTime?: number;
  /** extra zoo.cfg lines */
  extraConfig?: Record<string, string>;
  /** ms to wait for the ensemble to serve; default 30 s for one node, 75 s for an ensemble */
  startTimeoutMs?: number;
  /**
   * Each JVM in its own process group, so a terminal's Ctrl-C reaches only the Node process
   * that started them (which then stops its clients before the ensemble). Default false.
   */
  ownProcessGroup?: boolean;
}

export interface ZooKeeperEnsemble {
  readonly connectionString: string;
  readonly nodes: readonly ZooKeeperNode[];
  /** The member that is leader now (a standalone server is its own). */
  leader(): Promise<ZooKeeperNode>;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/**
 * Starts a real Apache ZooKeeper (Debian's package) on loopback: standalone, or a 3-node
 * ensemble with distinct client/quorum/election ports. TTL nodes on, containers reaped every
 * second, all four-letter words allowed, no per-IP connection cap, a throwaway dataDir.
 */
export async function startZooKeeper(options: ZooKeeperOptions = {}): Promise<ZooKeeperEnsemble> {
  const count = options.nodes ?? 1;
  const root = mkdtempSync(join(tmpdir(), 'zoo-zk-'));
  const ports = await Promise.all(Array.from({ length: count }, async () => ({ client: await freePort(), quorum: await freePort(), election: await freePort() })));
  const nodes: Node[] = ports.map((p, i) => {
    const id = i + 1;
    const dataDir = join(root, `node${id}`);
    mkdirSync(dataDir, { recursive: true });
    const lines: Record<string, string> = {
      tickTime: String(options.tickTime ?? 2000),
      initLimit: '10',
      syncLimit: '5',
      dataDir,
      clientPort: String(p.client),
      clientPortAddress: '127.0.0.1',
      maxClientCnxns: '0',
      'admin.enableServer': 'false',
      '4lw.commands.whitelist': '*',
      ...options.extraConfig,
    };
    if (count > 1) {
      writeFileSync(join(dataDir, 'myid'), `${id}\n`);
      lines.quorumListenOnAllIPs = 'false';
      ports.forEach((q, j) => (lines[`server.${j + 1}`] = `127.0.0.1:${q.quorum}:${q.election}`));
    }
    const cfg = join(root, `zoo${id}.cfg`);
    writeFileSync(cfg, Object.entries(lines).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
    return new Node(id, p.client, dataDir, cfg, count > 1, options.ownProcessGroup ?? false);
  });
  await Promise.all(nodes.map((n) => n.start(false)));
  const ensemble: ZooKeeperEnsemble = {
    connectionString: nodes.map((n) => `127.0.0.1:${n.clientPort}`).join(','),
    nodes,
    async leader() {
      for (const n of nodes) {
        const mode = await n.mode();
        if (mode === 'leader' || mode === 'standalone') return n;
      }
      throw new Error('no leader');
    },
    async stop() {
      await Promise.all(nodes.map((n) => n.kill('SIGKILL')));
      rmSync(root, { recursive: true, force: true });
    },
  };
  try {
    // (an ensemble's JVMs start and elect a leader on the same 2 cores as everything else: on a
    // loaded machine three took longer than 30 s)
    await waitFor(async () => (await Promise.all(nodes.map((n) => n.mode()))).every((m) => m !== ''), options.startTimeoutMs ?? (count > 1 ? 75_000 : 30_000), 'ZooKeeper to serve');
  } catch (err) {
    await ensemble.stop();
    throw err;
  }
  return ensemble;
}

class Node implements ZooKeeperNode {
  private child?: ChildProcess;
  private log = '';

  constructor(
    readonly id: number,
    readonly clientPort: number,
    readonly dataDir: string,
    private readonly cfg: string,
    private readonly quorum: boolean,
    private readonly ownProcessGroup: boolean,
  ) {}

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  async mode(): Promise<string> {
    // `ruok` answers before the server serves; `srvr` prints Mode only once it does
    const m = /Mode: (\w+)/.exec(await fourLetterWord(this.clientPort, 'srvr'));
    return m ? m[1] : '';
  }

  async start(wait = true): Promise<void> {
    if (this.running) return;
    const main = this.quorum ? 'org.apache.zookeeper.server.quorum.QuorumPeerMain' : 'org.apache.zookeeper.server.ZooKeeperServerMain';
    const child = spawn(
      'java',
      ['-Xmx256m', '-XX:+UseSerialGC', '-Dzookeeper.extendedTypesEnabled=true', '-Dznode.container.checkIntervalMs=1000', '-Dzookeeper.4lw.commands.whitelist=*', '-cp', zookeeperClasspath(), main, this.cfg],
      { stdio: ['ignore', 'pipe', 'pipe'], detached: this.ownProcessGroup },
    );
    this.log = '';
    const keep = (d: Buffer) => (this.log = (this.log + d.toString()).slice(-20_000));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    live.add(child);
    child.once('exit', () => live.delete(child));
    this.child = child;
    if (wait) await waitFor(async () => (await this.mode()) !== '', 30_000, `ZooKeeper node ${this.id} to serve`, () => this.log);
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
  }
}

async function waitFor(check: () => Promise<boolean>, ms: number, what: string, log?: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}${log ? `\n${log().slice(-3000)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
