import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { formatEnv, parseEnv } from './env-format.js';
import type { FlatConfig } from './flat-config.js';
import { formatProperties, parseProperties } from './properties-format.js';

export type { FlatConfig };

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
      return parseProperties(text);
    case 'env':
      return parseEnv(text);
  }
}

/** Writes flat keys in one of the formats. */
export function formatConfig(flat: FlatConfig, format: ConfigFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(unflatten(flat), null, 2)}\n`;
    case 'yaml':
      return stringifyYaml(unflatten(flat));
    case 'properties':
      return formatProperties(flat);
    case 'env':
      return formatEnv(flat);
  }
}
