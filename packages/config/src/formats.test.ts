import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contextPaths } from './contexts.js';
import { flatten, formatConfig, parseConfig, unflatten } from './formats.js';

const fixture = (name: string) => readFileSync(new URL(`../test/fixtures/spring/${name}`, import.meta.url), 'utf8');

describe('config formats', () => {
  const flat = { 'db.url': 'postgres://x', 'db.pool.max': '10', 'feature.enabled': 'true', greeting: 'hello world' };

  it.each(['json', 'yaml', 'properties', 'env'] as const)('%s round-trips', (format) => {
    expect(parseConfig(formatConfig(flat, format), format)).toEqual(flat);
  });

  it('flattens and unflattens', () => {
    expect(flatten({ a: { b: 1, c: [true, 'x'] }, d: null })).toEqual({ 'a.b': '1', 'a.c.0': 'true', 'a.c.1': 'x', d: '' });
    expect(unflatten({ 'a.b': '1', 'a.c': '2', e: '3' })).toEqual({ a: { b: '1', c: '2' }, e: '3' });
  });
});

describe('.properties (java.util.Properties rules)', () => {
  it('reads every separator form, comments, continuations, \\uXXXX and escapes', () => {
    expect(parseConfig(fixture('messages.properties'), 'properties')).toEqual({
      '!not-a-comment': 'bang',
      '#not-a-comment': 'hash',
      'continued.key.suffix': 'joined key',
      'emoji.wave': '👋',
      'empty.value': '',
      'farewell.fr': 'Au revoir à bientôt',
      'farewell.jp': 'さようなら',
      'greeting.bye': 'See you soon',
      'greeting.hello': 'Hello, world',
      'greeting.welcome': 'Welcome back, {0}!',
      'indented.key': 'indented value',
      'key with spaces': 'value',
      'key=with:separators': 'yes',
      'leading.escaped': '  two leading spaces',
      'long.description': 'This line goes on and on, and ends here.',
      'only.key': '',
      'path.tab': 'one\ttwo',
      'path.windows': 'C:\\Program Files\\Orders',
      'trailing.spaces': 'kept   ',
    });
  });

  it('reads a Spring Boot application.properties (values with = : # and %, comments of both kinds)', () => {
    const parsed = parseConfig(fixture('application.properties'), 'properties');
    expect(Object.keys(parsed)).toHaveLength(14);
    expect(parsed).toMatchObject({
      'spring.application.name': 'orders',
      'spring.datasource.url': 'jdbc:postgresql://db.internal:5432/orders?sslmode=require&currentSchema=app',
      'spring.datasource.password': 's3cr=t:with#chars',
      'logging.pattern.console': '%d{yyyy-MM-dd HH:mm:ss} %-5level [%thread] %logger{36} - %msg%n',
      'spring.cloud.zookeeper.connect-string': 'zk1:2181,zk2:2181,zk3:2181',
    });
  });

  it('reads CRLF files and continuations across CRLF', () => {
    expect(parseConfig(fixture('windows-crlf.properties'), 'properties')).toEqual({ 'spring.profiles.active': 'prod', 'server.port': '9090', 'long.one': 'a b', last: '1' });
  });

  it('escapes on write as Properties.store does (keys, leading spaces, control and non-ASCII characters)', () => {
    expect(formatConfig({ 'a key=x:y#z!': ' lead', uni: 'é€👋', ctl: 'a\tb\nc', plain: 'x = y : z # !' }, 'properties')).toBe(
      'a\\ key\\=x\\:y\\#z\\!=\\ lead\nctl=a\\tb\\nc\nplain=x = y : z # !\nuni=\\u00e9\\u20ac\\ud83d\\udc4b\n',
    );
  });

  it('refuses __proto__ as a key', () => {
    expect(() => formatConfig(JSON.parse('{"__proto__":"x"}'), 'properties')).toThrow(/"__proto__" is not allowed/);
  });

  it('round-trips any keys and values (property test)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'grapheme' }).filter((k) => k !== '__proto__'), fc.string({ unit: 'binary' })), (flat) => {
        const text = formatConfig(flat, 'properties');
        expect(/^[\x20-\x7e\n]*$/.test(text)).toBe(true); // pure ASCII: same under ISO-8859-1 and UTF-8
        expect(parseConfig(text, 'properties')).toEqual(flat);
      }),
      { numRuns: 500 },
    );
  });
});

describe('.env (dotenv rules)', () => {
  it('reads a docker-compose style file: export, quotes, \\n in double quotes only, multi-line values, comments', () => {
    expect(parseConfig(fixture('.env'), 'env')).toEqual({
      SPRING_APPLICATION_NAME: 'orders',
      SERVER_PORT: '8081',
      SPRING_PROFILES_ACTIVE: 'prod,eu',
      SPRING_DATASOURCE_URL: 'jdbc:postgresql://db.internal:5432/orders?sslmode=require',
      SPRING_DATASOURCE_PASSWORD: 's3cr=t:with#chars',
      GREETING: 'two\nlines',
      LITERAL: 'no \\n expansion here',
      PEM: '-----BEGIN KEY-----\nabc\n-----END KEY-----',
      COMMENTED: 'value',
      EMPTY: '',
    });
  });

  it('names the line dotenv would silently skip, and an unclosed quote', () => {
    expect(() => parseConfig('A=1\nnonsense\n', 'env')).toThrow(/\.env line 2: expected KEY=value, got "nonsense"/);
    expect(() => parseConfig('A="open\nB=2\n', 'env')).toThrow(/never closed/);
  });

  it('quotes on write only as much as needed', () => {
    expect(formatConfig({ A: 'plain', B: 'has # hash', C: "it's", D: 'a\nb', E: ' padded ' }, 'env')).toBe("A=plain\nB='has # hash'\nC=\"it's\"\nD='a\nb'\nE=' padded '\n");
    expect(() => formatConfig({ 'not a key': 'x' }, 'env')).toThrow(/cannot hold the key "not a key"/);
  });

  it('round-trips any value it accepts, and refuses only values no quoting can hold (property test)', () => {
    const key = fc.stringMatching(/^[A-Za-z_][\w.-]{0,20}$/).filter((k) => k !== '__proto__');
    const value = fc.string({ unit: fc.constantFrom('a', ' ', '#', "'", '"', '`', '\\', '\n', '\r', 'n', '=', 'é') });
    fc.assert(
      fc.property(fc.dictionary(key, value), (flat) => {
        let text: string;
        try {
          text = formatConfig(flat, 'env');
        } catch (err) {
          expect((err as Error).message).toMatch(/cannot hold the value/);
          return;
        }
        expect(parseConfig(text, 'env')).toEqual(flat);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('Spring Cloud Zookeeper contexts', () => {
  it('lists them most specific first', () => {
    expect(contextPaths('orders', ['dev', 'eu'])).toEqual(['/config/orders,eu', '/config/orders,dev', '/config/orders', '/config/application,eu', '/config/application,dev', '/config/application']);
    expect(contextPaths('orders', [], { root: '/cfg', defaultContext: 'shared', separator: '::' })).toEqual(['/cfg/orders', '/cfg/shared']);
  });
});
