// ZooServer in its own process for benchmarks: durable (fsync before every reply, group commit)
// with a dataDir argument, in-memory without one; snapCount as ZooKeeper's in the benchmarks.
// Prints its port.
import { ZooServer } from '@zoo/server';
import { SNAP_COUNT } from './bench-kit.mjs';

const server = await ZooServer.start({ port: 0, dataDir: process.argv[2], maxClientCnxns: 0, snapCount: SNAP_COUNT });
process.stdout.write(`${server.port}\n`);
process.on('SIGTERM', () => server.close().then(() => process.exit(0)));
