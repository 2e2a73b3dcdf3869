import type { DataTree } from '../tree/data-tree.js';
import type { ZNode } from '../tree/znode.js';

/**
 * How the undo journal takes back a create, a delete and a setData: every live write makes one
 * of these, so they are small objects of their own rather than closures (a closure and the
 * scope it keeps cost about twice as much). Each is made just before the change it undoes.
 */

/** Puts back the data (where it was: node.data would make a Buffer), version, mzxid and mtime a setData replaced. */
export class SetDataUndo {
  private readonly bytes: ArrayBuffer | null;
  private readonly offset: number;
  private readonly length: number;
  private readonly version: number;
  private readonly mzxid: bigint;
  private readonly mtime: number;

  constructor(
    private readonly tree: DataTree,
    private readonly path: string,
    node: ZNode,
  ) {
    this.bytes = node.dataBuffer;
    this.offset = node.dataOffset;
    this.length = node.dataLength;
    this.version = node.version;
    this.mzxid = node.mzxid;
    this.mtime = node.mtime;
  }

  undo(): void {
    this.tree.restoreData(this.path, this.bytes, this.offset, this.length, this.version, this.mzxid, this.mtime);
  }
}

/** Takes a created node away (if the create made it) and puts its parent's create counter and pzxid back. */
export class CreateUndo {
  private readonly childCreates: number;
  private readonly pzxid: bigint;

  constructor(
    private readonly tree: DataTree,
    private readonly path: string,
    private readonly parent: ZNode | undefined,
    private readonly created: boolean,
  ) {
    this.childCreates = parent ? parent.childCreates : 0;
    this.pzxid = parent ? parent.pzxid : 0n;
  }

  undo(): void {
    if (this.created) this.tree.delete(this.path, 0n);
    const parent = this.parent;
    if (parent) {
      parent.childCreates = this.childCreates;
      parent.pzxid = this.pzxid;
    }
  }
}

/** Puts a deleted node (the same object) back, and its parent's pzxid. */
export class DeleteUndo {
  private readonly pzxid: bigint;

  constructor(
    private readonly tree: DataTree,
    private readonly path: string,
    private readonly node: ZNode | undefined,
    private readonly parent: ZNode | undefined,
  ) {
    this.pzxid = parent ? parent.pzxid : 0n;
  }

  undo(): void {
    if (this.node) this.tree.load(this.path, this.node);
    if (this.parent) this.parent.pzxid = this.pzxid;
  }
}
