import { afterEach, describe, expect, it } from 'vitest';
import { encodeNotification, encodeReply, OpCode } from '@zoo/core';
import { EventType, KeeperState, ZooClient, type WatchedEvent } from '../src/index.js';
import { FakeServer, type Received } from './fake-server.js';

/** Client behaviour that depends on how bytes arrive, against a scripted server on a raw socket. */
describe('ZooClient against a scripted server', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });
  const start = async (onRequest: (r: Received) => void) => {
    const server = await FakeServer.start(onRequest);
    cleanup.push(() => server.close());
    const client = await ZooClient.connect(server.connectionString, { sessionTimeout: 10_000 });
    cleanup.push(() => client.close());
    return { server, client };
  };

  /** Answers addWatch with its reply and, in the same write, a change on the watched node. */
  const replyThenEvent = ({ header, request, socket }: Received) => {
    if (request.op !== OpCode.addWatch) {
      socket.write(encodeReply({ xid: header.xid, zxid: 5n, err: 0 })); // removeWatches: no body
      return;
    }
    const reply = encodeReply({ xid: header.xid, zxid: 5n, err: 0 });
    const event = encodeNotification(6n, { type: EventType.NodeDataChanged, state: KeeperState.SyncConnected, path: `${request.path}/child` });
    socket.write(Buffer.concat([reply, event]));
  };

  it('a persistent watch sees a notification that arrives in the same chunk as the addWatch reply', async () => {
    const { client } = await start(replyThenEvent);
    const events: WatchedEvent[] = [];
    await client.addWatch('/app', (e) => events.push(e), 'persistentRecursive');
    expect(events).toEqual([{ type: EventType.NodeDataChanged, state: KeeperState.SyncConnected, path: '/app/child' }]);
  });

  it('watch() is armed when the reply is read, and yields the event that came with it', async () => {
    const { client } = await start(replyThenEvent);
    const stream = client.watch('/app', { recursive: true });
    await stream.armed;
    const first = await stream.next();
    expect(first).toEqual({ done: false, value: { type: EventType.NodeDataChanged, state: KeeperState.SyncConnected, path: '/app/child' } });
    await stream.return();
  });

  it('watch().armed rejects (and the stream throws) when the server refuses the watch', async () => {
    const { client } = await start(({ header, socket }) => socket.write(encodeReply({ xid: header.xid, zxid: 0n, err: -102 })));
    const stream = client.watch('/secret');
    await expect(stream.armed).rejects.toMatchObject({ codeName: 'NOAUTH', path: '/secret' });
    await expect(stream.next()).rejects.toMatchObject({ codeName: 'NOAUTH' });
  });
});
