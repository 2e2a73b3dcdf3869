import { execFile, spawn } from 'node:child_process';
import { zookeeperClasspath } from './java.js';

/**
 * Runs Apache ZooKeeper's own CLI (ZooKeeperMain, what zkCli.sh runs) against `server` with
 * one command, and returns its output (stdout + stderr, log lines removed).
 */
export function runZkCli(server: string, command: string[], timeoutMs = 20_000): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      'java',
      ['-Xmx128m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Dorg.slf4j.simpleLogger.defaultLogLevel=error', '-cp', zookeeperClasspath(['commons-cli.jar', 'jline.jar']), 'org.apache.zookeeper.ZooKeeperMain', '-server', server, ...command],
      { timeout: timeoutMs },
      (err, stdout, stderr) => {
        const output = `${stdout}${stderr}`
          .split('\n')
          .filter((l) => !/^(\[main|\[.*\] (INFO|WARN|DEBUG)|log4j|SLF4J|WATCHER::|WatchedEvent state:SyncConnected type:None)/.test(l) && l.trim() !== '')
          .join('\n');
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output });
      },
    );
  });
}

/**
 * Runs a whole zkCli session: the lines are fed to ZooKeeperMain's prompt (no JLine), and the
 * output comes back with log lines removed.
 */
export function runZkCliScript(server: string, lines: string[], timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'java',
      ['-Xmx128m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Dorg.slf4j.simpleLogger.defaultLogLevel=error', '-cp', zookeeperClasspath(['commons-cli.jar']), 'org.apache.zookeeper.ZooKeeperMain', '-server', server],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(
        out
          .split('\n')
          .filter((l) => !/^(\[main|\[.*\] (INFO|WARN|DEBUG|ERROR)|SLF4J|Welcome to ZooKeeper|JLine support)/.test(l) && l.trim() !== '')
          .join('\n'),
      );
    });
    child.stdin.end(`${lines.join('\n')}\nquit\n`);
  });
}
