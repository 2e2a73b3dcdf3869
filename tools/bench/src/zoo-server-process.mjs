// ZooServer in its own process for benchmarks: durable (fsync before every reply, group commit)
// with a dataDir argument, in-memory without one. Prints its port.
import { ZooServer } from '@zoo/server';

const server = await ZooServer.start({ port: 0, dataDir: process.argv[2], maxClientCnxns: 0, snapCount: 1_000_000 });
process.stdout.write(`${server.port}\n`);
process.on('SIGTERM', () => server.close().then(() => process.exit(0)));
