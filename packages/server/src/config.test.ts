import { describe, expect, it } from 'vitest';
import { parseZooCfg, serverOptionsFromConfig, serverOptionsFromFlags } from './config.js';

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

  it('reads the admission limits: globalOutstandingLimit as ZooKeeper spells it, and Zoo\'s output limits', () => {
    const cfg = parseZooCfg('globalOutstandingLimit=250\nclientOutputSoftLimit=65536\nclientOutputHardLimit=1048576\nclientOutputTimeoutMs=2000\nglobalOutputLimit=8388608');
    const warnings: string[] = [];
    expect(serverOptionsFromConfig(cfg, (w) => warnings.push(w))).toMatchObject({
      globalOutstandingLimit: 250,
      clientOutputSoftLimit: 65536,
      clientOutputHardLimit: 1048576,
      clientOutputTimeoutMs: 2000,
      globalOutputLimit: 8388608,
    });
    expect(warnings).toEqual([]);
    expect(serverOptionsFromConfig(parseZooCfg('zookeeper.globalOutstandingLimit=7')).globalOutstandingLimit).toBe(7);
    expect(() => serverOptionsFromConfig(parseZooCfg('globalOutstandingLimit=0'))).toThrow(/globalOutstandingLimit: 0 is outside 1/);
    expect(serverOptionsFromConfig(parseZooCfg('preAllocSize=1024')).preAllocSize).toBe(1024);
    expect(serverOptionsFromConfig(parseZooCfg('zookeeper.preAllocSize=0')).preAllocSize).toBe(0);
    expect(() => serverOptionsFromConfig(parseZooCfg('preAllocSize=-1'))).toThrow(/preAllocSize/);
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

describe('TLS settings', () => {
  const files: Record<string, string> = { '/etc/zk/server.pem': 'KEY+CERT', '/etc/zk/ca.pem': 'CA', '/etc/zk/server.p12': 'PFX', '/k.pem': 'KEY', '/c.pem': 'CERT' };
  const readBytes = (path: string) => {
    if (!(path in files)) throw new Error('ENOENT');
    return Buffer.from(files[path]);
  };
  const fromCfg = (text: string) => serverOptionsFromConfig(parseZooCfg(text), () => {}, readBytes);

  it('maps a PEM keystore and trust store, requiring client certificates like ZooKeeper', () => {
    const o = fromCfg('secureClientPort=2281\nssl.keyStore.location=/etc/zk/server.pem\nssl.keyStore.password=pw\nssl.trustStore.location=/etc/zk/ca.pem');
    expect(o.secureClientPort).toBe(2281);
    expect(o.tls).toEqual({ key: Buffer.from('KEY+CERT'), cert: Buffer.from('KEY+CERT'), passphrase: 'pw', ca: Buffer.from('CA'), requestCert: true, rejectUnauthorized: true });
  });

  it('maps a PKCS12 keystore and ssl.clientAuth', () => {
    const o = fromCfg('secureClientPort=2281\nssl.keyStore.location=/etc/zk/server.p12\nssl.keyStore.password=pw\nssl.clientAuth=want');
    expect(o.tls).toEqual({ pfx: Buffer.from('PFX'), passphrase: 'pw', requestCert: true, rejectUnauthorized: false });
  });

  it.each([
    ['ssl.keyStore.location=/etc/zk/server.jks', /JKS is a Java keystore; convert it to PKCS12 or PEM/],
    ['ssl.keyStore.location=/etc/zk/server.pem\nssl.clientAuth=sometimes', /ssl.clientAuth: "sometimes" is not need, want or none/],
    ['ssl.keyStore.location=/etc/zk/missing.pem', /cannot read ssl.keyStore.location "\/etc\/zk\/missing.pem": ENOENT/],
    ['ssl.keyStore.location=/etc/zk/server.key', /cannot tell the type of ssl.keyStore.location/],
    ['ssl.keyStore.location=/etc/zk/server.pem\nssl.keyStore.type=XYZ', /ssl.keyStore.type: "XYZ" is not PEM/],
    ['ssl.trustStore.location=/etc/zk/ca.pem', /ssl.trustStore.location is set but ssl.keyStore.location is not/],
  ])('rejects %j', (text, message) => {
    expect(() => fromCfg(text)).toThrow(message);
  });

  it('takes --tls-* flags, and refuses a secure port without a key', () => {
    const read = () => '';
    expect(serverOptionsFromFlags({ securePort: 0, tlsKey: '/k.pem', tlsCert: '/c.pem' }, read, () => {}, readBytes).tls).toEqual({
      key: Buffer.from('KEY'),
      cert: Buffer.from('CERT'),
      requestCert: false,
      rejectUnauthorized: false,
    });
    expect(serverOptionsFromFlags({ securePort: 0, tlsKey: '/k.pem', tlsCert: '/c.pem', tlsCa: '/etc/zk/ca.pem' }, read, () => {}, readBytes).tls).toMatchObject({ requestCert: true, rejectUnauthorized: true });
    expect(() => serverOptionsFromFlags({ securePort: 2281 }, read, () => {}, readBytes)).toThrow(/a secure client port needs a key and certificate/);
    expect(() => serverOptionsFromFlags({ tlsKey: '/k.pem' }, read, () => {}, readBytes)).toThrow(/--tls-key and --tls-cert go together/);
  });
});
