import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readmeCodeBlock, repoRoot, run } from '../src/index.js';

// The README's example, run from the built dist/ in its own process: once the client and the
// server are closed nothing may keep the event loop alive (a leftover timer kept it ~2 s).
describe('the README example in its own process', () => {
  it('exits by itself with code 0 and leaves no timer behind', async () => {
    const example = readmeCodeBlock(join(repoRoot, 'README.md'), 'Example');
    const script = `${example}\nconsole.log('RESOURCES ' + JSON.stringify(process.getActiveResourcesInfo()));\n`;
    // --input-type=module resolves imports from the cwd: the workspace's links to the built packages
    const result = await run(process.execPath, ['--input-type=module'], { cwd: repoRoot, input: script, timeoutMs: 30_000 });

    expect(result.killed, result.stderr).toBe(false);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Hello Zookeeper 0');
    const line = result.stdout.split('\n').find((l) => l.startsWith('RESOURCES '));
    expect(line).toBeDefined();
    const resources = JSON.parse(line!.slice('RESOURCES '.length)) as string[];
    expect(resources).not.toContain('Timeout');
  }, 60_000);
});
