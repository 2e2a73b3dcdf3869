// What the benchmark scripts share: their flags, percentiles, a server in its own process, and
// the usual three targets (ZooServer in-memory, ZooServer durable, a warmed Apache ZooKeeper).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ZooServer } from '@zoo/server';
import { startZooKeeper } from '@zoo/zookeeper';

const here = fileURLToPath(new URL('.', import.meta.url));

/** `--name value` flags of this process, as a Map. */
export function cliArgs() {
  return new Map(process.argv.slice(2).map((a, i, all) => [a, all[i + 1]]));
}

/** The p-th percentile (0–100) of `xs`, by rank. */
export function percentile(xs, p) {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
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
      resolve({ port, connectionString: `127.0.0.1:${port}`, stop: () => new Promise((r) => { proc.once('exit', r); proc.kill('SIGTERM'); }) });
    });
    proc.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

/**
 * `measure(name, connectionString)` against ZooServer in-memory, ZooServer durable (fsync
 * before every reply) and Apache ZooKeeper 3.8 (after one unrecorded warm-up round, since the
 * JVM's first rounds run slower). Returns the three rows.
 */
export async function acrossServers(measure) {
  const rows = [];
  const memory = await ZooServer.start({ port: 0 });
  rows.push(await measure('ZooServer (in-memory)', memory.connectionString));
  await memory.close();
  const dir = mkdtempSync(join(tmpdir(), 'zoo-bench-'));
  try {
    const durable = await ZooServer.start({ port: 0, dataDir: dir });
    rows.push(await measure('ZooServer (durable, fsync)', durable.connectionString));
    await durable.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const zk = await startZooKeeper();
  try {
    await measure('warm-up', zk.connectionString);
    rows.push(await measure('Apache ZooKeeper 3.8', zk.connectionString));
  } finally {
    await zk.stop();
  }
  return rows;
}
