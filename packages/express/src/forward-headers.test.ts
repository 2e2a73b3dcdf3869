import { describe, expect, it } from 'vitest';
import { addForwarded, endToEnd } from './forward-headers.js';

describe('forwarded headers', () => {
  it('drops hop-by-hop headers and every header Connection names, keeps the rest', () => {
    expect(
      endToEnd({ connection: 'keep-alive, X-Custom-Hop ,x-other', 'x-custom-hop': '1', 'x-other': '2', 'keep-alive': 'timeout=5', te: 'trailers', trailer: 'x', 'transfer-encoding': 'chunked', upgrade: 'websocket', 'proxy-connection': 'keep-alive', 'proxy-authorization': 'Basic x', accept: 'text/html', 'content-length': '3' }),
    ).toEqual({ accept: 'text/html', 'content-length': '3' });
  });

  it('keeps Connection: upgrade and Upgrade for an upgrade request', () => {
    expect(endToEnd({ connection: 'Upgrade, x-hop', upgrade: 'websocket', 'x-hop': '1', 'sec-websocket-key': 'k' }, { upgrade: true })).toEqual({ connection: 'upgrade', upgrade: 'websocket', 'sec-websocket-key': 'k' });
  });

  it('appends to X-Forwarded-For and keeps -Proto/-Host a proxy before us set', () => {
    const first = {};
    addForwarded(first, { host: 'gw:8080' }, '10.0.0.9', 'http');
    expect(first).toEqual({ 'x-forwarded-for': '10.0.0.9', 'x-forwarded-proto': 'http', 'x-forwarded-host': 'gw:8080' });
    const second = {};
    addForwarded(second, { host: 'inner', 'x-forwarded-for': '1.2.3.4', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'example.com' }, '10.0.0.9', 'http');
    expect(second).toEqual({ 'x-forwarded-for': '1.2.3.4, 10.0.0.9', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'example.com' });
  });
});
