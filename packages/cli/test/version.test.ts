import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

const zoo = (...args: string[]): Promise<{ code: number; stdout: string }> =>
  new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { timeout: 30_000 }, (err, stdout) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout }));
  });

describe('zoo --version', () => {
  it('prints the version of the package it was built from, without connecting', async () => {
    expect(manifest.version).toMatch(/^\d+\.\d+\.\d+/);
    // no server is listening on the default 127.0.0.1:2181 in tests: --version must not need one
    expect(await zoo('--version')).toEqual({ code: 0, stdout: `${manifest.version}\n` });
    expect(await zoo('-V')).toEqual({ code: 0, stdout: `${manifest.version}\n` });
  });
});
