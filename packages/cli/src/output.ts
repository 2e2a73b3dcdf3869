import { ZooError } from '@zoo/core';

/** Where commands write: one JSON document with --json, readable text otherwise; errors to stderr. */
export interface Output {
  json: boolean;
  print(text: string): void;
  data(value: unknown, text: () => string): void;
  progress(message: string): void;
}

export function makeOutput(json: boolean): Output {
  return {
    json,
    print: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    data: (value, text) => process.stdout.write(json ? `${JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? v.toString() : Buffer.isBuffer(v) ? v.toString('utf8') : v), 2)}\n` : `${text()}\n`),
    progress: (message) => {
      if (process.stderr.isTTY) process.stderr.write(`\r${message}`);
      else process.stderr.write(`${message}\n`);
    },
  };
}

/** `NONODE: no node (getData /x)` on stderr, and the exit code for it. */
export function reportError(err: unknown): number {
  if (err instanceof ZooError) {
    process.stderr.write(`zoo: ${err.codeName}: ${err.message.replace(/^[A-Z]+: /, '')}\n`);
    return 2;
  }
  process.stderr.write(`zoo: ${err instanceof Error ? err.message : String(err)}\n`);
  return 1;
}

/** A table with aligned columns. */
export function table(rows: string[][]): string {
  if (rows.length === 0) return '';
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n');
}

export function formatStat(stat: Record<string, unknown>): string {
  const hex = (v: unknown) => `0x${(v as bigint).toString(16)}`;
  const time = (v: unknown) => new Date(Number(v as bigint)).toISOString();
  return table([
    ['cZxid', hex(stat.czxid)],
    ['ctime', time(stat.ctime)],
    ['mZxid', hex(stat.mzxid)],
    ['mtime', time(stat.mtime)],
    ['pZxid', hex(stat.pzxid)],
    ['cversion', String(stat.cversion)],
    ['dataVersion', String(stat.version)],
    ['aclVersion', String(stat.aversion)],
    ['ephemeralOwner', hex(stat.ephemeralOwner)],
    ['dataLength', String(stat.dataLength)],
    ['numChildren', String(stat.numChildren)],
  ]);
}
