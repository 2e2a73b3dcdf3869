/**
 * `b.toString('utf8', start, end)` without its argument checks, by Buffer's own utf8Slice where
 * it has one (the same decoding): every request decodes its path, and recovery a million of them.
 */
export const utf8: (b: Buffer, start: number, end: number) => string =
  typeof (Buffer.prototype as { utf8Slice?: unknown }).utf8Slice === 'function'
    ? (b, start, end) => (b as unknown as { utf8Slice(s: number, e: number): string }).utf8Slice(start, end)
    : (b, start, end) => b.toString('utf8', start, end);
