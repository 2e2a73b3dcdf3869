import { execFile } from 'node:child_process';
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
