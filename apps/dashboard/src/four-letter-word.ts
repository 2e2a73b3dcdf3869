import { connect } from 'node:net';

/**
 * Sends a four-letter word (`mntr`, `srvr`, ...) to a ZooKeeper or Zoo client port and resolves
 * with the whole answer (the server closes the connection after it); rejects when the host
 * cannot be reached or does not answer in time.
 */
export function fourLetterWord(host: string, port: number, word: string, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const chunks: Buffer[] = [];
    let failed: Error | undefined;
    socket.setTimeout(timeoutMs, () => {
      failed = new Error(`${word} to ${host}:${port}: no answer in ${timeoutMs} ms`);
      socket.destroy();
    });
    socket.on('connect', () => socket.end(word));
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', (err) => (failed = new Error(`${word} to ${host}:${port}: ${err.message}`)));
    socket.on('close', () => (failed ? reject(failed) : resolve(Buffer.concat(chunks).toString('utf8'))));
  });
}

/** `key<TAB>value` lines of an `mntr` answer, without the `zk_` prefix. */
export function parseMntr(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab > 0) out.set(line.slice(0, tab).replace(/^zk_/, ''), line.slice(tab + 1).trim());
  }
  return out;
}

/** The `Key: value` lines of a `srvr` answer. */
export function parseSrvr(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(': ');
    if (colon > 0) out.set(line.slice(0, colon).trim(), line.slice(colon + 2).trim());
  }
  return out;
}
