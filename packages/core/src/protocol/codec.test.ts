import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ZooError, ZooErrorCode } from '../errors.js';
import { decodeConnectRequest, decodeConnectResponse, encodeConnectRequest, encodeConnectResponse } from './connect.js';
import { JuteDecodeError } from './decode-error.js';
import { JuteReader } from './jute-reader.js';
import { JuteWriter } from './jute-writer.js';
import { OpCode } from './opcodes.js';
import type { Request, Response, Stat } from './records.js';
import { decodeRequest, encodeRequest } from './requests.js';
import { decodeReply, encodeNotification, encodeReply, readReplyHeader, readResponseBody, writeReply } from './responses.js';
import { FrameDecoder } from './framer.js';

const hex = (s: string) => Buffer.from(s.replace(/[^0-9a-f]/gi, ''), 'hex');
const stat: Stat = { czxid: 1n, mzxid: 2n, ctime: 3n, mtime: 4n, version: 5, cversion: -1, aversion: 7, ephemeralOwner: -0x7fffffffffffffffn, dataLength: 9, numChildren: 10, pzxid: 11n };
const acl = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }, { perms: 1, id: { scheme: 'digest', id: 'u:h=' } }];

describe('byte-exact frames from the reference', () => {
  it('ConnectRequest for a new session, timeout 30000, readOnly false (45 bytes)', () => {
    const frame = encodeConnectRequest({ protocolVersion: 0, lastZxidSeen: 0n, timeOut: 30000, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false });
    expect(frame).toEqual(hex(`0000002d 00000000 0000000000000000 00007530 0000000000000000 00000010 ${'00'.repeat(16)} 00`));
    expect(decodeConnectRequest(frame.subarray(4))).toEqual({ protocolVersion: 0, lastZxidSeen: 0n, timeOut: 30000, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false });
  });

  it('ConnectRequest and ConnectResponse without the readOnly byte', () => {
    const req = encodeConnectRequest({ protocolVersion: 0, lastZxidSeen: 5n, timeOut: 1, sessionId: 2n, passwd: Buffer.alloc(16, 1) });
    expect(req.readInt32BE(0)).toBe(44);
    expect(decodeConnectRequest(req.subarray(4)).readOnly).toBeUndefined();
    const with5 = encodeConnectResponse({ protocolVersion: 0, timeOut: 30000, sessionId: 0x123n, passwd: Buffer.alloc(16, 9), readOnly: false });
    expect(with5.readInt32BE(0)).toBe(37);
    const with4 = encodeConnectResponse({ protocolVersion: 0, timeOut: 30000, sessionId: 0x123n, passwd: Buffer.alloc(16, 9) });
    expect(with4.readInt32BE(0)).toBe(36);
    expect(decodeConnectResponse(with5.subarray(4))).toEqual({ protocolVersion: 0, timeOut: 30000, sessionId: 0x123n, passwd: Buffer.alloc(16, 9), readOnly: false });
    expect(decodeConnectResponse(with4.subarray(4)).readOnly).toBeUndefined();
  });

  it('ping, closeSession and getData', () => {
    expect(encodeRequest(-2, { op: OpCode.ping })).toEqual(hex('00000008 fffffffe 0000000b'));
    expect(encodeRequest(2, { op: OpCode.closeSession })).toEqual(hex('00000008 00000002 fffffff5'));
    expect(encodeRequest(1, { op: OpCode.getData, path: '/foo', watch: false })).toEqual(hex('00000011 00000001 00000004 00000004 2f666f6f 00'));
  });

  it('several frames batched in one writer decode one by one', () => {
    const w = new JuteWriter(8); // tiny, so the buffer grows between begin and end
    const a = w.beginFrame();
    writeReply(w, { xid: 1, zxid: 2n, err: 0 }, { op: OpCode.getData, data: Buffer.alloc(300, 1), stat });
    w.endFrame(a);
    const b = w.beginFrame();
    writeReply(w, { xid: 2, zxid: 3n, err: -101 });
    w.endFrame(b);
    const frames = new FrameDecoder().push(w.toBuffer());
    expect(frames.map((f) => decodeReply(f, () => OpCode.getData))).toEqual([
      { header: { xid: 1, zxid: 2n, err: 0 }, response: { op: OpCode.getData, data: Buffer.alloc(300, 1), stat } },
      { header: { xid: 2, zxid: 3n, err: -101 } },
    ]);
  });

  it('a Stat is 68 bytes', () => {
    const w = new JuteWriter();
    w.writeStat(stat);
    expect(w.length).toBe(68);
    expect(new JuteReader(w.toBuffer()).readStat()).toEqual(stat);
  });
});

const requests: Request[] = [
  { op: OpCode.create, path: '/a', data: Buffer.from('x'), acl, flags: 0 },
  { op: OpCode.create2, path: '/a', data: null, acl, flags: 3 },
  { op: OpCode.createContainer, path: '/c', data: Buffer.alloc(0), acl, flags: 4 },
  { op: OpCode.createTTL, path: '/t', data: null, acl, flags: 5, ttl: 1000n },
  { op: OpCode.delete, path: '/a', version: -1 },
  { op: OpCode.exists, path: '/a', watch: true },
  { op: OpCode.getData, path: '/a', watch: false },
  { op: OpCode.setData, path: '/a', data: Buffer.from('yz'), version: 3 },
  { op: OpCode.getACL, path: '/a' },
  { op: OpCode.setACL, path: '/a', acl, version: 0 },
  { op: OpCode.getChildren, path: '/', watch: true },
  { op: OpCode.getChildren2, path: '/', watch: false },
  { op: OpCode.sync, path: '/s' },
  { op: OpCode.check, path: '/a', version: 1 },
  {
    op: OpCode.multi,
    ops: [
      { op: OpCode.create, path: '/m', data: null, acl, flags: 0 },
      { op: OpCode.check, path: '/m', version: 0 },
      { op: OpCode.setData, path: '/m', data: null, version: -1 },
      { op: OpCode.delete, path: '/m', version: -1 },
    ],
  },
  { op: OpCode.multi, ops: [] },
  { op: OpCode.multiRead, ops: [{ op: OpCode.getData, path: '/a', watch: false }, { op: OpCode.getChildren, path: '/', watch: false }] },
  { op: OpCode.checkWatches, path: '/a', type: 3 },
  { op: OpCode.removeWatches, path: '/a', type: 1 },
  { op: OpCode.addWatch, path: '/a', mode: 1 },
  { op: OpCode.setWatches, relativeZxid: 9n, dataWatches: ['/a'], existWatches: [], childWatches: ['/b', '/c'], persistentWatches: [], persistentRecursiveWatches: [] },
  { op: OpCode.setWatches2, relativeZxid: 9n, dataWatches: [], existWatches: ['/e'], childWatches: [], persistentWatches: ['/p'], persistentRecursiveWatches: ['/r'] },
  { op: OpCode.auth, type: 0, scheme: 'digest', auth: Buffer.from('u:p') },
  { op: OpCode.sasl, token: Buffer.from([1, 2]) },
  { op: OpCode.getEphemerals, prefixPath: '/' },
  { op: OpCode.getAllChildrenNumber, path: '/' },
  { op: OpCode.reconfig, joiningServers: null, leavingServers: 'x', newMembers: null, curConfigId: -1n },
  { op: OpCode.deleteContainer, path: '/c' },
  { op: OpCode.ping },
  { op: OpCode.closeSession },
  { op: OpCode.whoAmI },
];

describe('requests', () => {
  it.each(requests.map((r) => [OpCode[r.op], r] as const))('%s round-trips', (_, req) => {
    const frame = encodeRequest(7, req);
    expect(frame.readInt32BE(0)).toBe(frame.length - 4);
    expect(decodeRequest(frame.subarray(4))).toEqual({ header: { xid: 7, type: req.op }, request: req });
  });

  it('accepts a 3.8-style deleteContainer body (raw path bytes)', () => {
    const payload = Buffer.concat([hex('00000001 00000014'), Buffer.from('/box')]);
    expect(decodeRequest(payload).request).toEqual({ op: OpCode.deleteContainer, path: '/box' });
  });

  it('every truncation of every request throws a decode error, never anything else', () => {
    for (const req of requests) {
      const payload = encodeRequest(1, req).subarray(4);
      for (let cut = 0; cut < payload.length; cut++) {
        if (req.op === OpCode.deleteContainer && cut >= 8) continue; // raw 3.8 form: any tail is a path
        let threw: unknown = null;
        try {
          decodeRequest(payload.subarray(0, cut));
        } catch (err) {
          threw = err;
        }
        expect(threw, `${OpCode[req.op]} cut at ${cut}`).toBeInstanceOf(JuteDecodeError);
      }
    }
  });

  it('rejects negative and oversized lengths and counts', () => {
    expect(() => decodeRequest(hex('00000001 00000004 fffffffe'))).toThrow(/negative length -2/);
    expect(() => decodeRequest(hex('00000001 00000004 7fffffff 00'))).toThrow(/exceeds/);
    expect(() => decodeRequest(hex('00000001 00000065 0000000000000000 0fffffff'))).toThrow(/count 268435455 exceeds/);
  });

  it('unknown opcodes are UNIMPLEMENTED; forbidden multi ops are MARSHALLINGERROR', () => {
    const unknown = (() => {
      try {
        decodeRequest(hex('00000001 0000000a'));
      } catch (err) {
        return err as ZooError;
      }
    })();
    expect(unknown?.code).toBe(ZooErrorCode.UNIMPLEMENTED);
    const mixed = encodeRequest(1, { op: OpCode.multi, ops: [{ op: OpCode.getData, path: '/', watch: false }] });
    expect(() => decodeRequest(mixed.subarray(4))).toThrow(JuteDecodeError);
  });

  it('random bytes decode or throw a ZooError, nothing else (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom(...requests.map((r) => r.op)), (bytes, op) => {
        const payload = Buffer.concat([hex('00000001'), Buffer.from([0, 0, (op >> 8) & 0xff, op & 0xff]), Buffer.from(bytes)]);
        try {
          decodeRequest(payload);
        } catch (err) {
          expect(err).toBeInstanceOf(ZooError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

const responses: Response[] = [
  { op: OpCode.create, path: '/a' },
  { op: OpCode.create2, path: '/a', stat },
  { op: OpCode.createTTL, path: '/t', stat },
  { op: OpCode.exists, stat },
  { op: OpCode.setData, stat },
  { op: OpCode.getData, data: Buffer.from('d'), stat },
  { op: OpCode.getData, data: null, stat },
  { op: OpCode.getACL, acl, stat },
  { op: OpCode.getChildren, children: ['a', 'b'] },
  { op: OpCode.getChildren2, children: [], stat },
  { op: OpCode.sync, path: '/s' },
  { op: OpCode.getEphemerals, ephemerals: ['/e'] },
  { op: OpCode.getAllChildrenNumber, totalNumber: 3 },
  { op: OpCode.whoAmI, clientInfo: [{ authScheme: 'ip', user: '127.0.0.1' }] },
  { op: OpCode.addWatch, err: 0 },
  {
    op: OpCode.multi,
    results: [
      { type: OpCode.create, err: 0, path: '/m' },
      { type: OpCode.create2, err: 0, path: '/n', stat },
      { type: OpCode.delete, err: 0 },
      { type: OpCode.setData, err: 0, stat },
      { type: OpCode.check, err: 0 },
    ],
  },
  { op: OpCode.multi, results: [{ type: OpCode.error, err: 0 }, { type: OpCode.error, err: -103 }, { type: OpCode.error, err: -2 }] },
  { op: OpCode.multiRead, results: [{ type: OpCode.getData, err: 0, data: null, stat }, { type: OpCode.getChildren, err: 0, children: ['x'] }, { type: OpCode.error, err: -101 }] },
  { op: OpCode.delete },
];

describe('replies', () => {
  it.each(responses.map((r, i) => [`${OpCode[r.op]} #${i}`, r] as const))('%s round-trips', (_, res) => {
    const frame = encodeReply({ xid: 3, zxid: 0x10n, err: 0 }, res);
    const r = new JuteReader(frame.subarray(4));
    expect(readReplyHeader(r)).toEqual({ xid: 3, zxid: 0x10n, err: 0 });
    expect(readResponseBody(res.op, r)).toEqual(res);
    expect(r.remaining).toBe(0);
  });

  it('every truncation of every reply body throws a decode error', () => {
    for (const res of responses) {
      const payload = encodeReply({ xid: 3, zxid: 1n, err: 0 }, res).subarray(4);
      for (let cut = 0; cut < payload.length; cut++) {
        const r = new JuteReader(payload.subarray(0, cut));
        // addWatch tolerates a missing ErrorResponse (empty body = success); a bodyless reply never truncates its body
        if (cut >= 16 && (res.op === OpCode.addWatch || res.op === OpCode.delete)) continue;
        expect(() => {
          readReplyHeader(r);
          readResponseBody(res.op, r);
        }, `${OpCode[res.op]} cut at ${cut}`).toThrow(JuteDecodeError);
      }
    }
  });

  it('every truncation of a connect record before its optional readOnly byte throws', () => {
    const req = encodeConnectRequest({ protocolVersion: 0, lastZxidSeen: 1n, timeOut: 2, sessionId: 3n, passwd: Buffer.alloc(16), readOnly: true }).subarray(4);
    const res = encodeConnectResponse({ protocolVersion: 0, timeOut: 2, sessionId: 3n, passwd: Buffer.alloc(16), readOnly: true }).subarray(4);
    for (let cut = 0; cut < req.length - 1; cut++) expect(() => decodeConnectRequest(req.subarray(0, cut))).toThrow(JuteDecodeError);
    for (let cut = 0; cut < res.length - 1; cut++) expect(() => decodeConnectResponse(res.subarray(0, cut))).toThrow(JuteDecodeError);
    expect(decodeConnectRequest(req).readOnly).toBe(true);
  });

  it('rejects a multi result of an unknown type and a reply vector count larger than the bytes left', () => {
    const bad = new JuteWriter();
    bad.writeInt(99);
    bad.writeBool(false);
    bad.writeInt(0);
    expect(() => readResponseBody(OpCode.multi, new JuteReader(bad.toBuffer()))).toThrow(/unknown multi result type 99/);
    const many = new JuteWriter();
    many.writeInt(1_000_000);
    many.writeString('a');
    expect(() => readResponseBody(OpCode.getChildren, new JuteReader(many.toBuffer()))).toThrow(/count 1000000 exceeds the 5 bytes left/);
  });

  it('each encoded frame is memory of its own, exactly as long, untouched by the frames encoded after it', () => {
    const big = Buffer.alloc(200_000, 0x5a);
    const large = encodeReply({ xid: 1, zxid: 2n, err: 0 }, { op: OpCode.getData, data: big, stat });
    const small = encodeReply({ xid: 3, zxid: 4n, err: 0 }, { op: OpCode.exists, stat });
    const request = encodeRequest(5, { op: OpCode.setData, path: '/a', data: big.subarray(0, 600), version: -1 });
    const note = encodeNotification(6n, { type: 3, state: 3, path: '/a' });
    // a large reply with no one large value: written through the shared writer, which it grows
    const children = Array.from({ length: 10_000 }, (_, i) => `child-${i}`);
    const many = encodeReply({ xid: 7, zxid: 8n, err: 0 }, { op: OpCode.getChildren, children });
    const after = encodeReply({ xid: 9, zxid: 10n, err: 0 }, { op: OpCode.exists, stat });
    for (const frame of [large, small, request, note, many, after]) expect(frame.readInt32BE(0)).toBe(frame.length - 4);
    expect(decodeReply(many.subarray(4), () => OpCode.getChildren).response).toEqual({ op: OpCode.getChildren, children });
    expect(after.equals(encodeReply({ xid: 9, zxid: 10n, err: 0 }, { op: OpCode.exists, stat }))).toBe(true);
    expect(decodeReply(large.subarray(4), () => OpCode.getData).response).toEqual({ op: OpCode.getData, data: big, stat });
    expect(decodeReply(small.subarray(4), () => OpCode.exists).response).toEqual({ op: OpCode.exists, stat });
    expect(decodeRequest(request.subarray(4)).request).toEqual({ op: OpCode.setData, path: '/a', data: big.subarray(0, 600), version: -1 });
    expect(decodeReply(note.subarray(4), () => undefined).event).toEqual({ type: 3, state: 3, path: '/a' });
  });

  it('frames encoded one after the other, over many slabs of the shared writer, each stay as they were encoded', () => {
    const replies = Array.from({ length: 3000 }, (_, i) => ({ xid: i, data: Buffer.alloc(i % 700, i & 0xff) }));
    const frames = replies.map((r) => encodeReply({ xid: r.xid, zxid: BigInt(r.xid), err: 0 }, { op: OpCode.getData, data: r.data, stat }));
    const notes = replies.map((r) => encodeNotification(BigInt(r.xid), { type: 1, state: 3, path: `/n/${r.xid}` }));
    replies.forEach((r, i) => {
      expect(frames[i].readInt32BE(0)).toBe(frames[i].length - 4);
      expect(decodeReply(frames[i].subarray(4), () => OpCode.getData)).toEqual({ header: { xid: r.xid, zxid: BigInt(r.xid), err: 0 }, response: { op: OpCode.getData, data: r.data, stat } });
      expect(decodeReply(notes[i].subarray(4), () => undefined).event).toEqual({ type: 1, state: 3, path: `/n/${r.xid}` });
    });
  });

  it('an error reply carries the header only', () => {
    const frame = encodeReply({ xid: 3, zxid: 5n, err: -101 }, { op: OpCode.exists, stat });
    expect(frame.length).toBe(4 + 16);
    expect(decodeReply(frame.subarray(4), () => OpCode.exists)).toEqual({ header: { xid: 3, zxid: 5n, err: -101 } });
  });

  it('a createContainer reply can be read as a plain create (trailing Stat ignored)', () => {
    const frame = encodeReply({ xid: 1, zxid: 1n, err: 0 }, { op: OpCode.createContainer, path: '/c', stat });
    const r = new JuteReader(frame.subarray(4));
    readReplyHeader(r);
    expect(readResponseBody(OpCode.create, r)).toEqual({ op: OpCode.create, path: '/c' });
  });

  it('notifications', () => {
    const frame = encodeNotification(-1n, { type: 3, state: 3, path: '/a' });
    expect(frame).toEqual(hex('0000001e ffffffff ffffffffffffffff 00000000 00000003 00000003 00000002 2f61'));
    expect(decodeReply(frame.subarray(4), () => undefined)).toEqual({ header: { xid: -1, zxid: -1n, err: 0 }, event: { type: 3, state: 3, path: '/a' } });
  });
});

describe('longs', () => {
  const reference = (v: bigint) => {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(BigInt.asIntN(64, v));
    return b;
  };
  const written = (v: bigint) => {
    const w = new JuteWriter(0);
    w.writeLong(v);
    return w.toBuffer();
  };

  it('writes every long as Java does, on both sides of the fast path for doubles', () => {
    const edges = [0n, 1n, -1n, 2n ** 31n, -(2n ** 31n), 2n ** 32n - 1n, 2n ** 32n, -(2n ** 32n), -(2n ** 32n) - 1n, 2n ** 53n - 1n, 2n ** 53n, -(2n ** 53n) + 1n, -(2n ** 53n), 2n ** 63n - 1n, -(2n ** 63n), 0x0100_0000_0000_0001n];
    for (const v of edges) expect(written(v).toString('hex'), String(v)).toBe(reference(v).toString('hex'));
    // a long outside the doubles, again, after another and again (the writer keeps the last one's halves)
    const ids = [0x7001_0000_0000_0001n, 0x7001_0000_0000_0001n, -(2n ** 60n) - 3n, 0x7001_0000_0000_0001n, 0x7001_0000_0000_0002n];
    for (const v of ids) expect(written(v).toString('hex'), String(v)).toBe(reference(v).toString('hex'));
    fc.assert(fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (v) => written(v).equals(reference(v)) && new JuteReader(written(v)).readLong() === v));
    fc.assert(fc.property(fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), (n) => new JuteReader(written(BigInt(n))).readLong() === BigInt(n)));
  });

  it('writes a Stat field for field as Java does, whatever the size of its longs', () => {
    const long = fc.oneof(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.bigInt({ min: 0n, max: 2n ** 40n }));
    const int = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
    const stats = fc.record({ czxid: long, mzxid: long, ctime: long, mtime: long, version: int, cversion: int, aversion: int, ephemeralOwner: long, dataLength: int, numChildren: int, pzxid: long });
    fc.assert(
      fc.property(stats, (st) => {
        const ref = Buffer.concat([reference(st.czxid), reference(st.mzxid), reference(st.ctime), reference(st.mtime), Buffer.alloc(12), reference(st.ephemeralOwner), Buffer.alloc(8), reference(st.pzxid)]);
        ref.writeInt32BE(st.version, 32);
        ref.writeInt32BE(st.cversion, 36);
        ref.writeInt32BE(st.aversion, 40);
        ref.writeInt32BE(st.dataLength, 52);
        ref.writeInt32BE(st.numChildren, 56);
        const w = new JuteWriter();
        w.writeStat(st);
        return w.toBuffer().equals(ref) && JSON.stringify(new JuteReader(w.toBuffer()).readStat(), (_, v) => (typeof v === 'bigint' ? String(v) : v)) === JSON.stringify(st, (_, v) => (typeof v === 'bigint' ? String(v) : v));
      }),
    );
  });
});

describe('strings and number longs', () => {
  const reference = (s: string) => {
    const bytes = Buffer.from(s, 'utf8');
    const b = Buffer.alloc(4);
    b.writeInt32BE(bytes.length);
    return Buffer.concat([b, bytes]);
  };
  const written = (s: string, initialSize = 0) => {
    const w = new JuteWriter(initialSize);
    w.writeInt(7); // not at offset 0
    w.writeString(s);
    return w.toBuffer().subarray(4);
  };

  it('writes every string as UTF-8 with its byte length, ASCII or not, short or long', () => {
    const edges = ['', '/', '/a/b', 'x'.repeat(255), 'x'.repeat(256), 'x'.repeat(257), `${'y'.repeat(255)}é`, '/zoo/é', '/zoo/😀', 'a\u007f', '\u0080', '\0'];
    for (const s of edges) expect(written(s).toString('hex'), JSON.stringify(s)).toBe(reference(s).toString('hex'));
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 40 })), fc.nat(64), (s, size) => written(s, size).equals(reference(s)) && new JuteReader(written(s, size)).readString() === Buffer.from(s, 'utf8').toString('utf8')));
  });

  it('writes a number as a Java long and refuses one that is not a safe integer', () => {
    for (const n of [0, 1, -1, 2 ** 32, -(2 ** 32) - 1, 1_700_000_000_123, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]) {
      const w = new JuteWriter(0);
      w.writeLongNumber(n);
      expect(new JuteReader(w.toBuffer()).readLong()).toBe(BigInt(n));
    }
    for (const bad of [2 ** 53, 0.5, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => new JuteWriter().writeLongNumber(bad)).toThrow(RangeError);
  });
});
