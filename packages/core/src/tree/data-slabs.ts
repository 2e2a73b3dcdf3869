import type { ZNode } from './znode.js';

/** Size of the slabs node data is copied into. */
export const SLAB_BYTES = 16 * 1024;
/** Larger values get an ArrayBuffer of their own. */
const OWN_BUFFER_BYTES = SLAB_BYTES / 4;

/**
 * Copies node data into slabs that hold node data only. Request and log buffers are large or
 * come from Node's shared 8 KiB pool, where a 100-byte value kept by a node would keep the
 * whole slab of short-lived reply and log bytes alive with it (1M values written over the wire
 * kept 600 MiB of such slabs). A slab is freed once none of the values in it is in use.
 */
export class DataSlabs {
  private slab = new ArrayBuffer(0);
  private view = new Uint8Array(this.slab);
  private used = SLAB_BYTES;

  /** Gives `node` a copy of `data` (null: no data). */
  store(node: ZNode, data: Uint8Array | null): void {
    if (data === null) return node.setBytes(null, 0, 0);
    const n = data.length;
    if (n === 0) return node.setBytes(this.slab, 0, 0);
    if (n >= OWN_BUFFER_BYTES) {
      const own = new Uint8Array(n);
      own.set(data);
      return node.setBytes(own.buffer, 0, n);
    }
    if (this.used + n > SLAB_BYTES) {
      // (not zero-filled: only the bytes copied in are ever read; allocUnsafeSlow is never pooled)
      this.view = Buffer.allocUnsafeSlow(SLAB_BYTES);
      this.slab = this.view.buffer as ArrayBuffer;
      this.used = 0;
    }
    this.view.set(data, this.used);
    node.setBytes(this.slab, this.used, n);
    this.used += n;
  }
}
