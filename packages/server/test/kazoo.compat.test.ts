import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireKazoo, requireZooKeeper, runKazoo, type KazooRun } from '@zoo/zookeeper';
import { sideBySide } from './side-by-side.js';

/**
 * kazoo, the Python client, against a real ZooKeeper 3.8 and against ZooServer: the same script
 * (fixtures/kazoo_suite.py: CRUD, versions and errors, watches and the watch recipes,
 * transactions, digest auth and ACLs, sessions, and kazoo's recipes) runs on both at once, and
 * ZooServer's observations must be exactly ZooKeeper's.
 */
const SCRIPT = fileURLToPath(new URL('./fixtures/kazoo_suite.py', import.meta.url));

type Observations = Record<string, unknown> & { failed: string[] };

function parse(run: KazooRun, side: string): Observations {
  const detail = `${side}: exit ${run.code}${run.timedOut ? ' (timed out, killed)' : ''}\n--- stderr ---\n${run.stderr.slice(-6000)}\n--- stdout ---\n${run.stdout.slice(-3000)}`;
  const line = run.stdout.trim().split('\n').pop() ?? '';
  let parsed: Observations;
  try {
    parsed = JSON.parse(line) as Observations;
  } catch {
    throw new Error(`kazoo suite printed no JSON on ${detail}`);
  }
  if (process.env.KAZOO_DUMP) writeFileSync(`${process.env.KAZOO_DUMP}.${side}.json`, JSON.stringify(parsed, null, 2));
  expect(parsed.failed, detail).toEqual([]);
  expect(run.code, detail).toBe(0);
  return parsed;
}

/**
 * exists() checks READ on an existing node since ZooKeeper 3.8.4 / 3.9.2 (ZOOKEEPER-2590, an
 * information leak fix); Debian's 3.8.0 answers such an exists with the Stat. ZooServer follows
 * the fixed releases, so that one observation is compared on its own (see acl.compat.test.ts).
 */
function withoutExistsNoRead(o: Observations, reference: Observations): Observations {
  const auth = o.auth as Record<string, unknown> | undefined;
  if ((reference.auth as Record<string, unknown> | undefined)?.other_exists === 'NoAuthError' || !auth || !('other_exists' in auth)) return o;
  const { other_exists: _ignored, ...rest } = auth;
  return { ...o, auth: rest };
}

const comparable = (o: Observations, reference: Observations) => withoutExistsNoRead(o, reference);

describe.runIf(requireZooKeeper('kazoo against ZooServer') && requireKazoo('kazoo against ZooServer'))('kazoo: ZooServer observed as ZooKeeper', () => {
  // ZooServer configured like the harness's ZooKeeper: every four-letter word allowed (kazoo's server_version reads `envi`)
  const { zk, zoo } = sideBySide({ server: { host: '127.0.0.1', fourLetterWordWhitelist: '*', tickTime: 2000 } });
  let ref: Observations;
  let ours: Observations;

  beforeAll(async () => {
    const [a, b] = await Promise.all([
      runKazoo(SCRIPT, [`127.0.0.1:${zk().nodes[0].clientPort}`], { timeoutMs: 240_000 }),
      runKazoo(SCRIPT, [`127.0.0.1:${zoo().port}`], { timeoutMs: 240_000 }),
    ]);
    ref = parse(a, 'zookeeper');
    ours = parse(b, 'zooserver');
  }, 300_000);

  it('the script ran every section on both servers', () => {
    for (const o of [ref, ours]) {
      expect(o.failed).toEqual([]);
      expect(o.connected).toEqual({ state: 'CONNECTED', connected: true });
    }
  });

  it("ZooServer's observations equal ZooKeeper's", () => {
    expect(comparable(ours, ref)).toEqual(comparable(ref, ref));
  });

  it("ZooKeeper's built-in nodes hold empty data", () => {
    const empty = { '/': '', '/zookeeper': '', '/zookeeper/quota': '', '/zookeeper/config': '' };
    expect((ref.odd_cases as Record<string, unknown>).builtin_data).toEqual(empty);
  });

  it('the built-in nodes hold empty data (not null), as in ZooKeeper', () => {
    expect((ours.odd_cases as Record<string, unknown>).builtin_data).toEqual((ref.odd_cases as Record<string, unknown>).builtin_data);
  });

  it('exists without READ: NoAuthError as ZooKeeper 3.8.4+ answers (older ZooKeeper gave the Stat)', () => {
    const ourExists = (ours.auth as Record<string, unknown>).other_exists;
    const refExists = (ref.auth as Record<string, unknown>).other_exists;
    if (refExists === 'NoAuthError') expect(ourExists).toBe('NoAuthError');
    else {
      expect(refExists, 'ZooKeeper before 3.8.4 answers with the Stat').toMatchObject({ version: 0, dataLength: 6 });
      expect(ourExists).toBe('NoAuthError');
    }
  });

  it('the observations are the expected ones, not an agreement on failure', () => {
    const crud = ours.crud as Record<string, unknown>;
    expect(crud.create_root).toBe('/kz');
    expect(crud.sequential).toEqual(['/kz/seq/s-0000000000', '/kz/seq/s-0000000001', '/kz/seq/s-0000000002']);
    expect(crud.set_v0_again).toBe('BadVersionError');
    expect(crud.get_missing).toBe('NoNodeError');
    expect(crud.create_existing).toBe('NodeExistsError');
    expect(crud.delete_not_empty).toBe('NotEmptyError');
    expect(crud.child_of_ephemeral).toBe('NoChildrenForEphemeralsError');
    expect(crud.acl_ro_set).toBe('NoAuthError');
    expect(crud.after_delete_recursive).toBeNull();

    const watches = ours.watches as Record<string, unknown>;
    expect(watches.data_watch).toEqual([
      { data: null, version: null, event: null },
      { data: 'a', version: 0, event: 'CREATED' },
      { data: 'b', version: 1, event: 'CHANGED' },
      { data: 'c', version: 2, event: 'CHANGED' },
      { data: null, version: null, event: 'DELETED' },
      { data: 'again', version: 0, event: 'CREATED' },
    ]);
    expect(watches.children_watch).toEqual([
      { children: [], event: null },
      { children: ['a'], event: 'CHILD' },
      { children: ['a', 'b'], event: 'CHILD' },
      { children: ['b'], event: 'CHILD' },
      { children: ['b', 'c'], event: 'CHILD' },
      { children: ['b', 'c', 'd'], event: 'CHILD' },
    ]);

    const tx = ours.transactions as Record<string, unknown>;
    expect(tx.failed_commit).toEqual(['RolledBackError', 'NoNodeError', 'RuntimeInconsistency']);

    const auth = ours.auth as Record<string, unknown>;
    expect(auth.other_get).toBe('NoAuthError');
    expect(auth.after_add_auth_get).toBe('s3cr3t');

    const session = ours.session as Record<string, unknown>;
    expect(session.deleted_event).toEqual([['DELETED', '/kz/session/e1']]);
    expect(session.after_close).toEqual(['p']);

    const lock = ours.lock as Record<string, unknown>;
    expect(lock.order).toEqual(['a acquired', 'a released', 'b acquired', 'b released']);
    expect(lock.contended).toEqual({ entries: 24, max_holders: 1, errors: [], alive: 0 });
    expect(lock.w_while_read).toBe(false);

    const election = ours.election as Record<string, unknown>;
    expect(election.leaders).toEqual(['one leads', 'one steps down', 'two leads', 'two steps down']);
    expect(election.max_leaders_at_once).toBe(1);

    expect((ours.counter as Record<string, unknown>).concurrent).toEqual({ value: 43, errors: [] });
    expect((ours.queue as Record<string, unknown>).order).toEqual(['urgent', 'first', 'second', 'x', 'y', 'later']);
    expect((ours.semaphore as Record<string, unknown>).s3_nonblocking).toBe(false);
    expect((ours.barrier as Record<string, unknown>).passed).toEqual([true]);
    expect((ours.party as Record<string, unknown>).two).toEqual(['alice', 'bob']);
    expect((ours.tree_cache as Record<string, unknown>).changes).toEqual([
      ['updated', '/kz/tc/a', 'A2'],
      ['added', '/kz/tc/a/deep', 'D'],
      ['removed', '/kz/tc/b', 'B'],
    ]);

    const move = ours.session_move as Record<string, unknown>;
    expect(move.same_session).toBe(true);
    expect(move.first_states).toEqual(['SUSPENDED', 'LOST']);
    expect(move.owner_is_moved_session).toBe(true);
    expect(move.after_close).toEqual([]);
    expect(move.new_session).toBe(true);
    expect(move.owner_still_connected).toBe('CONNECTED');
    expect((ours.session_timeout as Record<string, unknown>).negotiated).toEqual([4000, 6000, 40000]);

    const odd = ours.odd_cases as Record<string, unknown>;
    expect(odd.too_big).toBe('ConnectionLoss');
    expect(odd.too_big_same_session).toBe(true);
    expect(odd.after_too_big).toBe('/kz/odd/small');
  });
});
