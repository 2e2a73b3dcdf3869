import { ZooError, ZooErrorCode } from '@zoo/core';

/** How a queue turns one item into bytes and back (Curator's QueueSerializer). */
export interface QueueSerializer<T> {
  serialize(item: T): Buffer;
  deserialize(bytes: Buffer): T;
}

/** Items as UTF-8 text. */
export const stringSerializer: QueueSerializer<string> = {
  serialize: (item) => Buffer.from(item, 'utf8'),
  deserialize: (bytes) => bytes.toString('utf8'),
};

/** Items as raw bytes. */
export const bufferSerializer: QueueSerializer<Buffer> = {
  serialize: (item) => item,
  deserialize: (bytes) => bytes,
};

/*
 * The framing Curator's queues put around the user's bytes (its ItemSerializer), so Java and
 * Node producers and consumers read each other's items. Big-endian, one node holds 1..n items:
 *
 *   int32 0x00010001                         format version
 *   { byte 0x01, int32 length, bytes }*      one per item, the user serializer's output
 *   byte 0x02                                end
 */
const VERSION = 0x00010001;
const ITEM = 0x01;
const END = 0x02;

export function serializeItems<T>(items: readonly T[], serializer: QueueSerializer<T>): Buffer {
  const parts: Buffer[] = [];
  const head = Buffer.alloc(4);
  head.writeInt32BE(VERSION);
  parts.push(head);
  for (const item of items) {
    const bytes = serializer.serialize(item);
    const frame = Buffer.alloc(5);
    frame.writeUInt8(ITEM, 0);
    frame.writeInt32BE(bytes.length, 1);
    parts.push(frame, bytes);
  }
  parts.push(Buffer.from([END]));
  return Buffer.concat(parts);
}

export function deserializeItems<T>(bytes: Buffer, serializer: QueueSerializer<T>): T[] {
  const corrupt = (why: string) => new ZooError(ZooErrorCode.MARSHALLINGERROR, `MARSHALLINGERROR: corrupted queue item: ${why}`);
  if (bytes.length < 5) throw corrupt(`${bytes.length} bytes`);
  const version = bytes.readInt32BE(0);
  if (version !== VERSION) throw corrupt(`version 0x${version.toString(16)}, expected 0x${VERSION.toString(16)}`);
  const items: T[] = [];
  let at = 4;
  for (;;) {
    if (at >= bytes.length) throw corrupt('no end marker');
    const op = bytes[at++];
    if (op === END) return items;
    if (op !== ITEM) throw corrupt(`opcode ${op}`);
    if (at + 4 > bytes.length) throw corrupt('truncated length');
    const size = bytes.readInt32BE(at);
    at += 4;
    if (size < 0 || at + size > bytes.length) throw corrupt(`bad size ${size}`);
    items.push(serializer.deserialize(bytes.subarray(at, at + size)));
    at += size;
  }
}
