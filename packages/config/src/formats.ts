import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';

/** Flat configuration: dotted keys → string values (Spring's property view). */
export type FlatConfig = Record<string, string>;

export type ConfigFormat = 'json' | 'yaml' | 'properties' | 'env';

/** Nested objects → dotted keys; arrays by index (`list.0`), scalars as strings. */
export function flatten(value: unknown, prefix = '', out: FlatConfig = {}): FlatConfig {
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out[prefix] = value === null || value === undefined ? '' : String(value);
  }
  return out;
}

/** Dotted keys → a nested object (`a.b=1` → `{ a: { b: '1' } }`); where a key is also a parent, the children win. */
export function unflatten(flat: FlatConfig): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(flat).sort(([a], [b]) => a.length - b.length)) {
    const parts = key.split('.');
    let node = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const next = node[parts[i]];
      if (next === undefined || typeof next !== 'object' || next === null) node[parts[i]] = {};
      node = node[parts[i]] as Record<string, unknown>;
    }
    const last = parts[parts.length - 1];
    if (typeof node[last] !== 'object' || node[last] === null) node[last] = value;
  }
  return root;
}

/** Parses a config document in one of the formats into flat keys. */
export function parseConfig(text: string, format: ConfigFormat): FlatConfig {
  switch (format) {
    case 'json':
      return flatten(JSON.parse(text));
    case 'yaml':
      return flatten(parseYaml(text) ?? {});
    case 'properties':
      return parseLines(text, /^\s*([^=:\s]+)\s*[=:]\s*(.*)$/, ['#', '!']);
    case 'env':
      return parseLines(text, /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*)$/, ['#']);
  }
}

function parseLines(text: string, pattern: RegExp, comments: string[]): FlatConfig {
  const out: FlatConfig = {};
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || comments.some((c) => line.startsWith(c))) return;
    const m = pattern.exec(line);
    if (!m) throw new Error(`line ${i + 1}: expected key=value, got "${line}"`);
    let value = m[2].trim();
    if (/^".*"$/.test(value) || /^'.*'$/.test(value)) value = value.slice(1, -1);
    out[m[1]] = value.replace(/\\n/g, '\n').replace(/\\t/g, '\t').replace(/\\(.)/g, '$1');
  });
  return out;
}

/** Writes flat keys in one of the formats. */
export function formatConfig(flat: FlatConfig, format: ConfigFormat): string {
  const keys = Object.keys(flat).sort();
  switch (format) {
    case 'json':
      return `${JSON.stringify(unflatten(flat), null, 2)}\n`;
    case 'yaml':
      return stringifyYaml(unflatten(flat));
    case 'properties':
      return keys.map((k) => `${k}=${flat[k].replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n`).join('');
    case 'env':
      return keys.map((k) => `${k}=${/[\s#"']/.test(flat[k]) ? JSON.stringify(flat[k]) : flat[k]}\n`).join('');
  }
}
