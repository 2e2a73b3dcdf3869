/**
 * Snapshot format (Jute encoding):
 *   int magic 'ZSNP'; int version 3; long zxid;
 *   int sessionCount; { long id; int timeout } × sessionCount;
 *   int aclCount; { vector<ACL> } × aclCount          (each distinct ACL list once)
 *   blocks, parents before children:
 *     int nodeCount (> 0); int metaBytes; int dataBytes;
 *     metaBytes of { ustring path; int dataLength (-1 for null);
 *       int aclRef (index, or -1 and an inline vector<ACL>);
 *       long czxid, mzxid, pzxid, ctime, mtime; int version, childCreates, aversion; long owner } × nodeCount;
 *     dataBytes: the nodes' data, one after the other
 *   int 0 (end).
 * Keeping a block's data together lets a restore copy it in one piece and give each node a view
 * of it instead of one allocation per node, and blocks let a restore decode a file as it is read
 * (SnapshotRestorer) instead of holding all of it. Version 2 (data inline, a null path at the
 * end) is still read.
 *
 * It is fuzzy: it is produced in chunks while writes go on, so it holds every txn up to
 * `zxid` and perhaps some after; replaying the log after `zxid` (txns are idempotent) makes
 * the state exact. Checksumming and files are the server's business.
 */
export const MAGIC = 0x5a534e50; // 'ZSNP'
export const VERSION = 3;
/** path length, data length, ACL ref: the ints around a node's path. */
export const NODE_FIXED_BYTES = 4 + 4 + 4 + 5 * 8 + 3 * 4 + 8;
/** The fixed fields after a node's ACL ref (or its inline list). */
export const AFTER_ACL_BYTES = 5 * 8 + 3 * 4 + 8;
/** The bytes a v3 block needs before its nodes: count, metaBytes, dataBytes. */
export const BLOCK_HEADER_BYTES = 12;
export const TWO_32 = 4294967296;
