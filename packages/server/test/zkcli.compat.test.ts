import { describe, expect, it } from 'vitest';
import { requireZooKeeper, runZkCliScript } from '@zoo/zookeeper';
import { sideBySide } from './side-by-side.js';

/**
 * Apache ZooKeeper's own Java CLI (what zkCli.sh runs) drives a scripted session against a
 * real ZooKeeper 3.8 and against ZooServer; the transcripts must match once times, zxids and
 * session ids are masked.
 */
const script = [
  'create /a hello',
  'create -e /a/eph x',
  'create -s /a/seq- y',
  'create -s /a/seq- y2',
  'create -c /box',
  'create -t 60000 /ttl z',
  'create /a/eph/child',
  'create /a hello-again',
  'ls /a',
  'ls -s /a',
  'ls -R /a',
  'get /a',
  'get -s /a',
  'set -v 0 /a world',
  'set -v 0 /a again',
  'get /a',
  'stat /a',
  'stat /nope',
  'delete /a',
  'delete /a/seq-0000000002',
  'deleteall /a',
  'ls /',
  'addauth digest alice:secret',
  'create /secure data auth:alice:secret:cdrwa',
  'getAcl /secure',
  'setAcl /secure world:anyone:r',
  'getAcl /secure',
  'set /secure nope',
  'create /m',
  'addWatch -m PERSISTENT_RECURSIVE /w',
  'create /w',
  'create /w/x',
  'set /w/x 1',
  'removewatches /w',
  'set /w/x 2',
  'whoami',
  'sync /',
  'getAllChildrenNumber /',
  'getEphemerals',
];

/** Output lines in order, with the CLI's watcher-thread lines taken out (their interleaving with the main thread's output is a race in the CLI). */
function split(text: string): { output: string[]; events: string[] } {
  // whoami lists identities in ZooKeeper's hash order: sort that block
  const lines = mask(text)
    .replace(/(Auth scheme: User\n)((?:[a-z0-9]+: .*\n?)+)/, (_, head: string, ids: string) => head + ids.trim().split('\n').sort().join('\n') + '\n')
    .split('\n');
  return {
    output: lines.filter((l) => l !== 'WATCHER::' && !l.startsWith('WatchedEvent')),
    // the CLI's own close event is printed by its watcher thread as the JVM exits: sometimes not at all
    events: lines.filter((l) => l.startsWith('WatchedEvent') && !/state:Closed\b/.test(l)),
  };
}

function mask(text: string): string {
  return text
    .replace(/^Connecting to .*$/gm, 'Connecting to SERVER')
    .replace(/^(ctime|mtime) = .*$/gm, '$1 = T')
    .replace(/^(cZxid|mZxid|pZxid) = 0x[0-9a-f]+$/gm, '$1 = Z')
    .replace(/^ephemeralOwner = 0x[0-9a-f]+$/gm, (l) => (l.endsWith('= 0x0') ? l : 'ephemeralOwner = SESSION'))
    .replace(/^ip: .*$/gm, 'ip: IP');
}

describe.runIf(requireZooKeeper('zkCli against ZooServer'))('Apache ZooKeeper CLI (zkCli) against ZooServer', () => {
  const { zk, zoo } = sideBySide();

  it('prints the same transcript as against Apache ZooKeeper', async () => {
    const [reference, ours] = await Promise.all([runZkCliScript(zk().connectionString, script), runZkCliScript(zoo().connectionString, script)]);
    expect(ours).toContain('Created /a/seq-0000000002');
    const a = split(ours);
    const b = split(reference);
    expect(a.output).toEqual(b.output);
    expect(a.events).toEqual(b.events);
  }, 60_000);
});
