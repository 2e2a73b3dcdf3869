import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { BodyError, upstreamBody } from './request-body.js';

const req = (headers: Record<string, string>, state: { body?: unknown; readableEnded?: boolean; _body?: boolean }) => ({ headers, readableEnded: false, ...state }) as unknown as IncomingMessage & { body?: unknown };

describe('upstream body', () => {
  it('is empty bytes (so replayable) when the request has none', () => {
    expect(upstreamBody(req({}, {}))).toEqual({ kind: 'bytes', data: Buffer.alloc(0) });
  });

  it('streams a body nobody read', () => {
    expect(upstreamBody(req({ 'content-length': '5' }, {}))).toEqual({ kind: 'stream' });
  });

  it('re-serialises what a parser read: JSON, nested forms the way qs reads them, text, raw buffers', () => {
    const text = (r: ReturnType<typeof upstreamBody>) => (r.kind === 'bytes' ? r.data.toString() : 'stream');
    expect(text(upstreamBody(req({ 'content-length': '9', 'content-type': 'application/vnd.api+json' }, { _body: true, body: { a: [1] } })))).toBe('{"a":[1]}');
    expect(text(upstreamBody(req({ 'transfer-encoding': 'chunked', 'content-type': 'application/x-www-form-urlencoded' }, { readableEnded: true, body: { a: '1 2', b: { c: 'x' }, d: ['1', '2'] } })))).toBe('a=1%202&b%5Bc%5D=x&d=1&d=2');
    expect(text(upstreamBody(req({ 'content-length': '2', 'content-type': 'text/plain' }, { readableEnded: true, body: 'hi' })))).toBe('hi');
    expect(text(upstreamBody(req({ 'content-length': '2' }, { readableEnded: true, body: Buffer.from('ok') })))).toBe('ok');
  });

  it('says so when a consumed body cannot be rebuilt (e.g. multipart read by another middleware)', () => {
    expect(() => upstreamBody(req({ 'content-length': '9', 'content-type': 'multipart/form-data; boundary=x' }, { readableEnded: true, body: { file: {} } }))).toThrow(BodyError);
    expect(() => upstreamBody(req({ 'content-length': '9', 'content-type': 'multipart/form-data; boundary=x' }, { readableEnded: true, body: { file: {} } }))).toThrow(/cannot be re-serialised: mount discoveryProxy before the parser/);
  });
});
