import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileJava, requireZooKeeper, runJava } from '@zoo/zookeeper';
import { formatConfig, parseConfig, type FlatConfig } from '../src/index.js';

const source = fileURLToPath(new URL('./fixtures/PropertiesCheck.java', import.meta.url));
const springDir = fileURLToPath(new URL('./fixtures/spring/', import.meta.url));
// the Java side needs only a JDK, which the ZooKeeper interop machines have
const enabled = requireZooKeeper('.properties against java.util.Properties');

const hex = (s: string) => [...Array(s.length).keys()].map((i) => s.charCodeAt(i).toString(16).padStart(4, '0')).join('');
const unhex = (h: string) => String.fromCharCode(...(h.match(/.{4}/g) ?? []).map((x) => parseInt(x, 16)));

function java(classes: string, args: string[], input = ''): Promise<string> {
  const child = runJava(classes, 'PropertiesCheck', args, []);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  child.stdin!.end(input);
  return new Promise((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`PropertiesCheck ${args[0]} exited ${code}: ${err}`)))));
}

async function javaReads(classes: string, file: string): Promise<FlatConfig> {
  const out = await java(classes, ['read', file]);
  return Object.fromEntries(out.split('\n').filter(Boolean).map((line) => line.split('\t').map(unhex) as [string, string]));
}

/**
 * What Zoo writes, java.util.Properties.load reads (as Spring Boot loads application.properties:
 * an ISO-8859-1 stream), and what Properties.store writes, Zoo reads — for realistic Spring files
 * and for a few hundred generated keys and values.
 */
describe.runIf(enabled)('.properties against java.util.Properties', () => {
  let classes: string;
  let dir: string;
  // any UTF-16 (lone surrogates included: Java strings hold them too), every character that needs escaping
  const generated = fc.sample(fc.dictionary(fc.string({ unit: 'binary', maxLength: 12 }), fc.string({ unit: fc.oneof(fc.constantFrom(' ', '\\', '=', ':', '#', '!', '\t', '\n', '\r', '\f', 'é', '€'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 16 }), { maxKeys: 40 }), { seed: 15, numRuns: 10 });
  const cases: Array<[string, FlatConfig]> = generated.map((flat, i) => [`generated #${i}`, flat]);

  beforeAll(() => {
    classes = compileJava([source], []);
    dir = mkdtempSync(join(tmpdir(), 'zoo-properties-'));
  });

  for (const name of readdirSync(springDir).filter((f) => f.endsWith('.properties'))) {
    it(`reads ${name} exactly as Java does`, async () => {
      const file = join(springDir, name);
      const expected = await javaReads(classes, file);
      expect(Object.keys(expected).length).toBeGreaterThan(3);
      expect(parseConfig(readFileSync(file, 'latin1'), 'properties')).toEqual(expected);
    }, 30_000);
  }

  it('Java reads what Zoo writes, and Zoo reads what Java writes', async () => {
    cases.push(['Spring fixture', parseConfig(readFileSync(join(springDir, 'messages.properties'), 'latin1'), 'properties')]);
    for (const [label, flat] of cases) {
      const ours = join(dir, 'zoo.properties');
      writeFileSync(ours, formatConfig(flat, 'properties'), 'latin1');
      expect(await javaReads(classes, ours), `Java reading ${label}`).toEqual(flat);

      const theirs = join(dir, 'java.properties');
      await java(classes, ['write', theirs], Object.entries(flat).map(([k, v]) => `${hex(k)}\t${hex(v)}\n`).join(''));
      const stored = readFileSync(theirs, 'latin1');
      expect(stored.startsWith('#written by java.util.Properties.store')).toBe(true);
      expect(parseConfig(stored, 'properties'), `Zoo reading ${label} as stored by Java`).toEqual(flat);
    }
  }, 120_000);
});
