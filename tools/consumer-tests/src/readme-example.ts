import { readFileSync } from 'node:fs';

/**
 * The first ```ts block under the `## <heading>` of a README, so tests run exactly what the
 * README shows.
 */
export function readmeCodeBlock(readmePath: string, heading: string): string {
  const text = readFileSync(readmePath, 'utf8');
  const start = text.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`${readmePath} has no "## ${heading}" section`);
  const section = text.slice(start + 1).split(/\n## /)[0];
  const block = /```ts\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error(`the "## ${heading}" section of ${readmePath} has no ts code block`);
  return block[1];
}
