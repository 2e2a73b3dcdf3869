/** Input in ZooKeeper's on-disk format that cannot be used: names the file and the byte offset. */
export class ZooKeeperFormatError extends Error {
  override readonly name = 'ZooKeeperFormatError';
  constructor(
    readonly file: string,
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`${file} at offset ${offset}: ${reason}`);
  }
}
