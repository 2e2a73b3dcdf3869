import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fourLetterWord, requireZooKeeper } from '@zoo/zookeeper';
import { OpCode, OPEN_ACL_UNSAFE } from '@zoo/core';
import { RawClient } from './raw-client.js';
import { sideBySide } from './side-by-side.js';

/**
 * The same session state on a real ZooKeeper 3.8 and on ZooServer, then every four-letter word
 * on both: the outputs must be line for line the same once the values that cannot match
 * (session ids, ports, times, latencies, version strings, byte counts) are masked.
 */
interface Side {
  port: number;
  client: RawClient;
}

async function prepare(port: number): Promise<Side> {
  const client = await RawClient.open(port, { timeOut: 30_000 });
  await client.send({ op: OpCode.create, path: '/e', data: Buffer.from('x'), acl: [...OPEN_ACL_UNSAFE], flags: 1 });
  await client.send({ op: OpCode.exists, path: '/w', watch: true }); // exist watch on a missing node
  await client.send({ op: OpCode.getData, path: '/e', watch: true });
  await client.send({ op: OpCode.getChildren, path: '/e', watch: true }); // a child watch: ZooKeeper's wchs/wchc/wchp leave it out
  await client.send({ op: OpCode.ping });
  return { port, client };
}

/**
 * ZooKeeper's expiry queues keep a bucket that a connection moved out of until the bucket's
 * time comes, so `dump` may list "0 expire at" sets depending on when the 20 s bucket boundary
 * fell during the test. Those transient empty sets are dropped (and the set count adjusted).
 */
function withoutEmptyBuckets(text: string): string {
  const lines = text.split('\n');
  let header = -1;
  let empty = 0;
  const out: string[] = [];
  const closeSection = () => {
    if (header >= 0 && empty > 0) out[header] = out[header].replace(/Sets \((\d+)\)/, (_, n: string) => `Sets (${Number(n) - empty})`);
    header = -1;
    empty = 0;
  };
  for (const line of lines) {
    if (/Sets \(\d+\)\/\(\d+\):$/.test(line)) {
      closeSection();
      header = out.length;
    } else if (/^0 expire at /.test(line)) {
      empty++;
      continue;
    }
    out.push(line);
  }
  closeSection();
  return out.join('\n');
}

function mask(text: string, side: Side): string {
  const sid = `0x${side.client.session!.sessionId.toString(16)}`;
  const clientPort = String(side.client.socket.localPort);
  return (
    withoutEmptyBuckets(text)
      .replaceAll(sid, 'SID')
      .replace(/^Zookeeper version: .*$/m, 'Zookeeper version: V')
      .replace(/\w{3} \w{3} \d\d \d\d:\d\d:\d\d UTC \d{4}/g, 'DATE')
      .replace(/\/127\.0\.0\.1:(\d+)/g, (_, p: string) => (p === clientPort ? '/127.0.0.1:CLIENT' : '/127.0.0.1:OTHER'))
      .replace(/^Latency min\/avg\/max: .*$/m, 'Latency min/avg/max: L')
      .replace(/^(Received|Sent): \d+$/gm, '$1: N')
      .replace(/recved=\d+,sent=\d+/g, 'recved=N,sent=N')
      .replace(/(est|lresp|llat|minlat|avglat|maxlat)=\d+/g, '$1=N')
      // connection order is hash order in ZooKeeper
      .split('\n')
      .sort()
      .join('\n')
  );
}

describe.runIf(requireZooKeeper('four-letter words against ZooServer'))('four-letter words: ZooServer prints what ZooKeeper prints', () => {
  // ZooServer configured like the harness's ZooKeeper, so conf can be compared value for value
  const { zk, zoo } = sideBySide({ server: { tickTime: 2000, maxClientCnxns: 0, fourLetterWordWhitelist: '*' } });
  let a: Side;
  let b: Side;

  beforeAll(async () => {
    [a, b] = await Promise.all([prepare(zk().nodes[0].clientPort), prepare(zoo().port)]);
  }, 60_000);
  afterAll(async () => {
    await a?.client.close();
    await b?.client.close();
  });

  it.each(['ruok', 'isro', 'gtmk', 'srvr', 'stat', 'cons', 'wchs', 'wchc', 'wchp', 'dump'])('%s', async (word) => {
    const [ref, ours] = await Promise.all([fourLetterWord(a.port, word), fourLetterWord(b.port, word)]);
    expect(ours.length).toBeGreaterThan(0);
    expect(mask(ours, b)).toEqual(mask(ref, a));
  });

  it('conf: the same keys, and the same values for the settings both were given', async () => {
    const parse = (text: string) => new Map(text.trim().split('\n').map((l) => l.split('=') as [string, string]));
    const [ref, ours] = (await Promise.all([fourLetterWord(a.port, 'conf'), fourLetterWord(b.port, 'conf')])).map(parse);
    expect([...ours.keys()]).toEqual([...ref.keys()]);
    for (const key of ['secureClientPort', 'tickTime', 'maxClientCnxns', 'minSessionTimeout', 'maxSessionTimeout', 'clientPortListenBacklog', 'serverId'])
      expect(`${key}=${ours.get(key)}`).toBe(`${key}=${ref.get(key)}`);
    expect(ours.get('clientPort')).toBe(String(zoo().port));
  });

  it('mntr: the keys monitoring reads, with the same values where the state is the same', async () => {
    const parse = (text: string) => new Map(text.trim().split('\n').map((l) => l.split('\t') as [string, string]));
    const [ref, ours] = (await Promise.all([fourLetterWord(a.port, 'mntr'), fourLetterWord(b.port, 'mntr')])).map(parse);
    const keys = [
      'zk_version', 'zk_server_state', 'zk_avg_latency', 'zk_max_latency', 'zk_min_latency', 'zk_packets_received', 'zk_packets_sent',
      'zk_num_alive_connections', 'zk_outstanding_requests', 'zk_znode_count', 'zk_watch_count', 'zk_ephemerals_count',
      'zk_approximate_data_size', 'zk_open_file_descriptor_count', 'zk_max_file_descriptor_count', 'zk_global_sessions',
      'zk_local_sessions', 'zk_uptime', 'zk_bytes_received_count', 'zk_connection_rejected', 'zk_sessionless_connections_expired',
      'zk_avg_fsynctime', 'zk_min_fsynctime', 'zk_max_fsynctime', 'zk_cnt_fsynctime', 'zk_sum_fsynctime',
    ];
    for (const key of keys) {
      expect(ref.has(key), `ZooKeeper has ${key}`).toBe(true);
      expect(ours.has(key), `ZooServer has ${key}`).toBe(true);
    }
    for (const key of ['zk_server_state', 'zk_num_alive_connections', 'zk_outstanding_requests', 'zk_znode_count', 'zk_watch_count', 'zk_ephemerals_count', 'zk_approximate_data_size', 'zk_global_sessions', 'zk_local_sessions'])
      expect(`${key} ${ours.get(key)}`).toBe(`${key} ${ref.get(key)}`);
    expect(Number(ours.get('zk_open_file_descriptor_count'))).toBeGreaterThan(0);
  });

  it('envi and dirs: same layout', async () => {
    const [envRef, envOurs] = await Promise.all([fourLetterWord(a.port, 'envi'), fourLetterWord(b.port, 'envi')]);
    const keys = (text: string) => text.trim().split('\n').slice(1).map((l) => l.split('=')[0]);
    expect(envOurs.split('\n')[0]).toBe('Environment:');
    for (const key of ['zookeeper.version', 'host.name', 'os.name', 'os.arch', 'os.version', 'user.name', 'user.home', 'user.dir', 'os.memory.free', 'os.memory.total']) {
      expect(keys(envRef)).toContain(key);
      expect(keys(envOurs)).toContain(key);
    }
    const dirs = /^datadir_size: \d+\nlogdir_size: \d+\n$/;
    expect(await fourLetterWord(a.port, 'dirs')).toMatch(dirs);
    expect(await fourLetterWord(b.port, 'dirs')).toMatch(dirs);
  });
});
