/** What a demo process tells its supervisor (over the IPC channel) once it serves. */
export interface ReadyMessage {
  type: 'ready';
  role: string;
  name: string;
  pid: number;
  /** http://... for the services; host:port for the Zoo server. */
  url: string;
  /** The Zoo server's admin HTTP URL. */
  admin?: string;
}

export interface Running {
  url: string;
  admin?: string;
  stop(): Promise<void>;
}

/**
 * Runs one demo service as the whole of this process: starts it, says where it serves (to the
 * supervisor when there is one, else on stdout), and on SIGINT/SIGTERM — or when the supervisor
 * goes away — stops it cleanly (unregisters) and exits. A second signal exits at once.
 */
export async function runServiceProcess(role: string, name: string, start: () => Promise<Running>): Promise<void> {
  let running: Running;
  try {
    running = await start();
  } catch (err) {
    console.error(`${name}: cannot start: ${(err as Error).message}`);
    process.exit(1);
  }
  const ready: ReadyMessage = { type: 'ready', role, name, pid: process.pid, url: running.url, admin: running.admin };
  if (process.send) process.send(ready);
  else console.log(`${name} serving on ${running.url} (pid ${process.pid}); Ctrl-C unregisters and stops it`);

  let stopping = false;
  const stop = (why: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    if (!process.send) console.log(`${name}: ${why}, unregistering and stopping`);
    running.stop().then(
      () => process.exit(0),
      (err) => {
        console.error(`${name}: error while stopping: ${(err as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // the supervisor died without stopping us (e.g. kill -9): do not linger as an orphan
  process.on('disconnect', () => stop('supervisor gone'));
}
