import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooServer } from '@zoo/server';
import { startDashboardProcess } from './browser.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/**
 * The packed @zoo/dashboard installed in a project of its own (its workspace dependencies
 * linked in, uplot installed beside it, nothing of the repository's node_modules on its
 * resolution path): the bin runs and serves the chart library from that install.
 */
describe('@zoo/dashboard as an installed package', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zoo-dashboard-pkg-'));
  let server: ZooServer;
  let dashboard: Awaited<ReturnType<typeof startDashboardProcess>> | undefined;

  beforeAll(async () => {
    execFileSync('npm', ['pack', '-w', '@zoo/dashboard', '--pack-destination', dir, '--silent'], { cwd: ROOT, stdio: 'pipe' });
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
    const modules = join(dir, 'node_modules');
    mkdirSync(join(modules, '@zoo'), { recursive: true });
    execFileSync('tar', ['xzf', join(dir, tarball), '-C', dir]);
    cpSync(join(dir, 'package'), join(modules, '@zoo', 'dashboard'), { recursive: true });
    for (const p of ['client', 'core', 'discovery', 'server']) symlinkSync(join(ROOT, 'packages', p), join(modules, '@zoo', p));
    cpSync(join(ROOT, 'node_modules', 'uplot'), join(modules, 'uplot'), { recursive: true });
    server = await ZooServer.start({ host: '127.0.0.1', port: 0 });
  }, 60_000);
  afterAll(async () => {
    await dashboard?.stop();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ships dist and README only, and its bin serves the page and uPlot from the install', async () => {
    expect(readdirSync(join(dir, 'package')).sort()).toEqual(['README.md', 'dist', 'package.json']);
    dashboard = await startDashboardProcess(['--connect', server.connectionString, '--port', '0'], {}, join(dir, 'node_modules', '@zoo', 'dashboard', 'dist', 'bin.js'));
    const js = await fetch(`${dashboard.url}/assets/uPlot.iife.min.js`);
    expect(js.status).toBe(200);
    expect(await js.text()).toMatch(/uPlot/);
    expect(await (await fetch(dashboard.url)).text()).toContain('Zoo dashboard');
  }, 30_000);
});
