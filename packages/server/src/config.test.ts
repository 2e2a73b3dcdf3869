import { describe, expect, it } from 'vitest';
import { parseZooCfg, serverOptionsFromConfig } from './config.js';

describe('zoo.cfg', () => {
  it('maps ZooKeeper keys to server options', () => {
    const cfg = parseZooCfg(`
# The number of milliseconds of each tick
tickTime=2000
dataDir=/var/lib/zookeeper
dataLogDir = /var/log/zk
clientPort=2182
clientPortAddress=127.0.0.1
maxClientCnxns=0
minSessionTimeout=4000
maxSessionTimeout=40000
snapCount=5000
autopurge.snapRetainCount=5
autopurge.purgeInterval=1
4lw.commands.whitelist=srvr, ruok ,mntr
admin.serverPort=9090
jute.maxbuffer=2097152
superDigest=super:xQJmxLMiHGwaqBvst5y6rkB6HQs=
znode.container.checkIntervalMs=500
`);
    const warnings: string[] = [];
    expect(serverOptionsFromConfig(cfg, (w) => warnings.push(w))).toEqual({
      host: '127.0.0.1',
      port: 2182,
      tickTime: 2000,
      dataDir: '/var/lib/zookeeper',
      dataLogDir: '/var/log/zk',
      maxClientCnxns: 0,
      minSessionTimeout: 4000,
      maxSessionTimeout: 40000,
      snapCount: 5000,
      snapRetainCount: 5,
      purgeInterval: 1,
      fourLetterWordWhitelist: ['srvr', 'ruok', 'mntr'],
      adminPort: 9090,
      maxBuffer: 2097152,
      superDigest: 'super:xQJmxLMiHGwaqBvst5y6rkB6HQs=',
      containerCheckIntervalMs: 500,
    });
    expect(warnings).toEqual([]);
  });

  it('warns about unknown and quorum-only keys', () => {
    const warnings: string[] = [];
    serverOptionsFromConfig(parseZooCfg('initLimit=5\nserver.1=a:2888:3888\nbogus=1\n4lw.commands.whitelist=*'), (w) => warnings.push(w));
    expect(warnings).toEqual([
      'zoo.cfg: initLimit does not apply to a standalone Zoo server; ignored',
      'zoo.cfg: server.1 does not apply to a standalone Zoo server; ignored',
      'zoo.cfg: unknown key bogus; ignored',
    ]);
  });

  it.each([
    ['tickTime=abc', /tickTime: "abc" is not an integer/],
    ['clientPort=70000', /clientPort: 70000 is outside 0..65535/],
    ['autopurge.snapRetainCount=1', /snapRetainCount: 1 is outside 3/],
    ['superDigest=nope', /superDigest: expected user:base64/],
    ['admin.enableServer=maybe', /admin.enableServer: "maybe" is not true or false/],
    ['minSessionTimeout=9000\nmaxSessionTimeout=4000', /minSessionTimeout 9000 > maxSessionTimeout 4000/],
    ['justakey', /line 1: expected key=value/],
  ])('rejects %j with a clear message', (text, message) => {
    expect(() => serverOptionsFromConfig(parseZooCfg(text))).toThrow(message);
  });
});
