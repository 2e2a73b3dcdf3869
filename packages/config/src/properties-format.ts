import { getProperties } from 'properties-file';
import { escapeKey } from 'properties-file/escape';
import type { FlatConfig } from './flat-config.js';

/**
 * `.properties` as java.util.Properties.load reads it (and so Spring Boot's application.properties):
 * `key=value`, `key:value` and `key value`, `#`/`!` comments, line continuations, `\uXXXX` and
 * the usual escapes. Never throws: as in Java, any non-comment line is a key.
 */
export function parseProperties(text: string): FlatConfig {
  return { ...getProperties(text) };
}

const CONTROL: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\f': '\\f' };

/**
 * Writes what Properties.store would read back: keys escaped (spaces, `=`, `:`, `#`, `!`), a
 * value's leading whitespace escaped, control and non-ASCII characters as `\uXXXX`, so the file
 * reads the same loaded as ISO-8859-1 (Java's default for .properties) or UTF-8. Unlike store,
 * `=` `:` `#` `!` inside values stay as they are (they mean nothing there): `url=http://x`.
 * `__proto__` is refused as a key (it cannot be read back into an object safely).
 */
export function formatProperties(flat: FlatConfig): string {
  return Object.keys(flat)
    .sort()
    .map((k) => {
      if (k === '__proto__') throw new Error('.properties: the key "__proto__" is not allowed');
      return `${escapeKey(k, true)}=${escapeValue(flat[k])}\n`;
    })
    .join('');
}

function escapeValue(value: string): string {
  return value.replace(/^[ ]|[\\\t\n\r\f]|[^\x20-\x7e]/g, (c) => CONTROL[c] ?? (c === ' ' ? '\\ ' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}
