import { connect } from 'node:net';

/** Sends a four-letter word to host:port and returns the text answer ('' if the connection fails). */
export function fourLetterWord(port: number, word: string, host = '127.0.0.1', timeoutMs = 2000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    let out = '';
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on('connect', () => socket.write(word));
    socket.on('data', (d) => (out += d.toString()));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}
