// What the benchmark scripts share: their flags, percentiles and summaries of repeated runs,
// the two servers as processes of their own configured alike (ZooServer and Apache ZooKeeper
// with the same snapshot interval, ZooKeeper's JVM flags stated, its output to a file), and the
// usual three targets (ZooServer in-memory, ZooServer durable, a warmed Apache ZooKeeper).
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fourLetterWord, freePort, zookeeperClasspath } from '@zoo/zookeeper';

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * Snapshot interval of both servers in every benchmark: ZooKeeper's default snapCount (a
 * snapshot after snapCount/2 + random(snapCount/2) txns), passed to ZooKeeper as
 * `-Dzookeeper.snapCount` and to ZooServer as `snapCount`, which works the same way.
 */
export const SNAP_COUNT = 100_000;
/** ZooKeeper's JVM flags in every benchmark (its GC is the JVM's default, G1). */
export const ZK_JVM_FLAGS = ['-Xms64m', '-Xmx2g'];

/** `--name value` flags of this process, as a Map (a flag with no value maps to undefined). */
export function cliArgs() {
  return new Map(process.argv.slice(2).map((a, i, all) => [a, all[i + 1]]));
}

/**
 * How many times each figure is measured: `--runs N`, default 5 (what docs/benchmarks.md
 * reports); `--quick` makes it 1, for a look rather than a figure.
 */
export function runCount(args = cliArgs(), fallback = 5) {
  if (args.has('--quick')) return 1;
  const n = Number(args.get('--runs') ?? fallback);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--runs takes a whole number ≥ 1, not ${args.get('--runs')}`);
  return n;
}

/** The p-th percentile (0–100) of `xs`, by rank. */
export function percentile(xs, p) {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** The median of `xs` (the mean of the middle two for an even count). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** { median, min, max, runs } of one figure measured several times. */
export function summary(xs) {
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), runs: [...xs] };
}

/** "median (min–max)" of a figure, each formatted by `f`; just the value for a single run. */
export function fmtSummary(s, f = (v) => v.toFixed(0)) {
  return s.runs.length > 1 ? `${f(s.median)} (${f(s.min)}–${f(s.max)})` : f(s.median);
}

/** One field of a summarizeRuns() result as fmtSummary() writes it: the median, with the runs' min–max. */
export function fmtField(r, field, f = (v) => v.toFixed(0)) {
  return fmtSummary({ median: r[field], min: r.range[field][0], max: r.range[field][1], runs: Array(r.runs) }, f);
}

/**
 * Summarizes rows of numbers measured once per run: `perRun` is an array of objects with the
 * same numeric fields; the result has each field's median, and `range[field]` = [min, max].
 */
export function summarizeRuns(perRun) {
  const out = { runs: perRun.length, range: {} };
  for (const key of Object.keys(perRun[0])) {
    const xs = perRun.map((r) => r[key]);
    if (!xs.every((x) => typeof x === 'number')) continue;
    out[key] = median(xs);
    out.range[key] = [Math.min(...xs), Math.max(...xs)];
  }
  return out;
}

/**
 * Runs a script of this folder that prints its port on its first line (zoo-server-process.mjs,
 * canned-server.mjs) in its own Node process; `stop()` ends it with SIGTERM.
 */
export function spawnServer(script, ...argv) {
  const proc = spawn(process.execPath, [join(here, script), ...argv], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    proc.stdout.once('data', (d) => {
      const port = Number(d.toString().trim());
      resolve({ port, pid: proc.pid, connectionString: `127.0.0.1:${port}`, stop: () => new Promise((r) => { proc.once('exit', r); proc.kill('SIGTERM'); }) });
    });
    proc.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

/** ZooServer in its own process (zoo-server-process.mjs): durable with `dataDir`, in-memory without. */
export function spawnZooServer(dataDir) {
  return spawnServer('zoo-server-process.mjs', ...(dataDir ? [dataDir] : []));
}

/**
 * The zoo.cfg and java command line of a standalone Apache ZooKeeper for benchmarks: loopback,
 * snapCount = SNAP_COUNT, ZK_JVM_FLAGS, no per-IP connection cap. Shared by startZooKeeperProcess
 * and the scripts that time ZooKeeper's start themselves (memory.mjs, startup.mjs).
 */
export function zooKeeperCommand(dir, port, extraConfig = {}, { snapCount = SNAP_COUNT } = {}) {
  const lines = { tickTime: 2000, dataDir: join(dir, 'data'), clientPort: port, clientPortAddress: '127.0.0.1', maxClientCnxns: 0, 'admin.enableServer': 'false', '4lw.commands.whitelist': '*', ...extraConfig };
  mkdirSync(dir, { recursive: true });
  const cfg = join(dir, 'zoo.cfg');
  writeFileSync(cfg, Object.entries(lines).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  return ['java', [...ZK_JVM_FLAGS, `-Dzookeeper.snapCount=${snapCount}`, '-cp', zookeeperClasspath(), 'org.apache.zookeeper.server.ZooKeeperServerMain', cfg]];
}

/**
 * Spawns ZooKeeper with its stdout and stderr going to `dir/zookeeper.log`, not through a pipe
 * into the measuring process (whose event loop would otherwise read ZooKeeper's log lines while
 * it measures). The child gets `logFile` and `logTail()` for error messages.
 */
export function spawnZooKeeper(dir, port, extraConfig, options) {
  const [cmd, argv] = zooKeeperCommand(dir, port, extraConfig, options);
  const logFile = join(dir, 'zookeeper.log');
  const fd = openSync(logFile, 'a');
  const child = spawn(cmd, argv, { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  child.logFile = logFile;
  child.logTail = () => {
    try {
      return readFileSync(logFile, 'utf8').slice(-3000);
    } catch {
      return '';
    }
  };
  return child;
}

/**
 * Apache ZooKeeper 3.8 in its own JVM for a benchmark (see spawnZooKeeper), once it serves.
 * `stop()` kills it and removes its directory.
 */
export async function startZooKeeperProcess(extraConfig = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'zoo-bench-zk-'));
  const port = await freePort();
  const child = spawnZooKeeper(dir, port, extraConfig);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const end = Date.now() + 60_000;
  while (!/Mode: \w+/.test(await fourLetterWord(port, 'srvr'))) {
    if (child.exitCode !== null || Date.now() > end) {
      const tail = child.logTail();
      await stop();
      throw new Error(`ZooKeeper did not start serving:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { port, pid: child.pid, connectionString: `127.0.0.1:${port}`, logFile: child.logFile, stop };
}

/** How the servers of a benchmark were configured, for its output and docs/benchmarks.md. */
export function serversNote() {
  return `ZooServer and ZooKeeper each in a process of its own, snapCount ${SNAP_COUNT} for both; ZooKeeper's JVM: ${ZK_JVM_FLAGS.join(' ')} (default GC), its output to a file`;
}

/**
 * `measure(name, connectionString)` against ZooServer in-memory and durable (fsync before every
 * reply), each in its own process, and Apache ZooKeeper 3.8 (after one unrecorded warm-up
 * round, since the JVM's first rounds run slower), `runs` times each, the servers taking turns
 * within a run so that a burst of load elsewhere on the machine hits all of them alike.
 * Returns { name, perRun: [...] } per server.
 */
export async function acrossServers(measure, runs = runCount()) {
  const dir = mkdtempSync(join(tmpdir(), 'zoo-bench-'));
  const targets = [];
  try {
    targets.push(['ZooServer (in-memory)', await spawnZooServer()]);
    targets.push(['ZooServer (durable, fsync)', await spawnZooServer(join(dir, 'durable'))]);
    const zk = await startZooKeeperProcess();
    targets.push(['Apache ZooKeeper 3.8', zk]);
    await measure('warm-up', zk.connectionString);
    const rows = targets.map(([name]) => ({ name, perRun: [] }));
    for (let r = 0; r < runs; r++) {
      for (let i = 0; i < targets.length; i++) rows[i].perRun.push(await measure(targets[i][0], targets[i][1].connectionString));
    }
    return rows;
  } finally {
    for (const [, t] of targets) await t.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
