import { parse as parseDotenv } from 'dotenv';
import type { FlatConfig } from './flat-config.js';

const KEY = /^[\w.-]+$/;
const ASSIGNMENT = /^\s*(?:export\s+)?[\w.-]+(?:\s*=|:\s)/;

/**
 * `.env` as dotenv reads it (`export`, `#` comments, single/double/back quotes, multi-line quoted
 * values, `\n` in double quotes). dotenv skips lines it does not understand; this names the first
 * one instead, so a typo is not a silently missing key.
 */
export function parseEnv(text: string): FlatConfig {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let openQuote: string | undefined;
  lines.forEach((line, i) => {
    if (openQuote) {
      if (line.includes(openQuote)) openQuote = undefined;
      return;
    }
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const m = ASSIGNMENT.exec(line);
    if (!m) throw new Error(`.env line ${i + 1}: expected KEY=value, got "${trimmed}"`);
    const value = line.slice(m[0].length).trimStart();
    const q = value[0];
    if ((q === '"' || q === "'" || q === '`') && !closes(value.slice(1), q)) openQuote = q;
  });
  if (openQuote) throw new Error(`.env: a value opened with ${openQuote} is never closed`);
  return { ...parseDotenv(text) };
}

function closes(rest: string, quote: string): boolean {
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '\\') i++;
    else if (rest[i] === quote) return true;
  }
  return false;
}

/**
 * Writes values so dotenv reads them back unchanged: bare when nothing needs quoting, else the
 * first quoting that can hold the value (single quotes keep everything literally, double quotes
 * carry `\n`/`\r`, back quotes as a last resort). A value no quoting can hold is an error.
 */
export function formatEnv(flat: FlatConfig): string {
  return Object.keys(flat)
    .sort()
    .map((k) => `${k}=${envValue(k, flat[k])}\n`)
    .join('');
}

function envValue(key: string, value: string): string {
  if (!KEY.test(key) || key === '__proto__') throw new Error(`.env cannot hold the key "${key}" (letters, digits, _ . - only)`);
  if (!/[#'"`\r\n]/.test(value) && value.trim() === value) return value;
  // dotenv reads a backslash before the closing quote as escaping it
  if (!/['\r]|\\$/.test(value)) return `'${value}'`;
  if (!/["\\]/.test(value)) return `"${value.replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;
  if (!/[`\r]|\\$/.test(value)) return `\`${value}\``;
  throw new Error(`.env cannot hold the value of "${key}": it mixes every quote character with a carriage return or backslash`);
}
