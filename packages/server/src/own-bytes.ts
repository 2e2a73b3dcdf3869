/**
 * The bytes of a frame that is going to wait (queued for a client that may not read for a
 * while), on their own: the encoders hand out views of a shared slab (16 KiB or more), and a
 * view keeps all of its slab alive. A deaf watcher's queue of 30-byte notifications, each
 * sharing a slab with kilobytes of other messages, would hold far more memory than the output
 * limits, which count frame bytes, can see. Frames from Node's own 8 KiB pool, or with a buffer
 * of their own, are kept as they are: that is what the limits were measured with.
 */
export function ownBytes(frame: Buffer): Buffer {
  return frame.buffer.byteLength > Math.max(NODE_POOL_BYTES, 2 * frame.length) ? Buffer.from(frame) : frame;
}

/** Node's Buffer.poolSize: small Buffers are slices of pools of this size. */
const NODE_POOL_BYTES = 8 * 1024;
