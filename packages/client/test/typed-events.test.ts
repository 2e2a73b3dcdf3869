import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { ZooClient, ZooSession, type ConnectionState, type WatchedEvent } from '../src/index.js';
import { FakeServer } from './fake-server.js';

// The listener types are checked by `tsc` over this file (the package's typecheck includes tests).
describe('typed events', () => {
  const servers: FakeServer[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
  });

  it('state listeners get the union of states, and each state is an event of its own', async () => {
    const server = await FakeServer.start();
    servers.push(server);
    const client = new ZooClient(server.connectionString);
    const seen: Array<[ConnectionState, ConnectionState]> = [];
    const named: string[] = [];
    client.on('state', (state, previous) => {
      expectTypeOf(state).toEqualTypeOf<ConnectionState>();
      seen.push([state, previous]);
    });
    client.on('connected', () => named.push('connected'));
    client.once('closed', () => named.push('closed'));
    client.on('watch', (event) => expectTypeOf(event).toEqualTypeOf<WatchedEvent>());
    // @ts-expect-error not an event of ZooClient
    client.on('conected', () => {});
    // @ts-expect-error a state listener gets states, not numbers
    client.on('state', (state: number) => state);
    await client.connect();
    await client.close();
    expect(seen).toEqual([
      ['connected', 'connecting'],
      ['closed', 'connected'],
    ]);
    expect(named).toEqual(['connected', 'closed']);
  });

  it('ZooSession events carry the client', () => {
    const session = new ZooSession('127.0.0.1:1');
    session.on('session', (client) => expectTypeOf(client).toEqualTypeOf<ZooClient>());
    session.on('expired', (client) => expectTypeOf(client).toEqualTypeOf<ZooClient>());
    // @ts-expect-error not an event of ZooSession
    session.on('sesion', () => {});
    expect(session.listenerCount('session')).toBe(1);
  });
});
