import 'reflect-metadata';
import { Controller, Get, Injectable, Module, Post } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooClient, ZooSession } from '@zoo/client';
import { ConfigWriter } from '@zoo/config';
import { ServiceDiscovery } from '@zoo/discovery';
import { ZooServer } from '@zoo/server';
import { DiscoveryClient, InjectZooClient, OnLeader, WithLock, ZooConfig, ZooHealthIndicator, ZooModule, ZOO_MODULE_OPTIONS } from '../src/index.js';

const events: string[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

@Injectable()
class Jobs {
  @OnLeader('/election/nightly')
  async nightly(): Promise<string> {
    return 'ran';
  }
}

@Controller()
class OrdersController {
  @ZooConfig('greeting') greeting?: string;

  constructor(
    private readonly jobs: Jobs,
    private readonly discovery: DiscoveryClient,
    private readonly health: ZooHealthIndicator,
    @InjectZooClient() private readonly client: ZooClient,
  ) {}

  @Get('greeting')
  hello() {
    return { greeting: this.greeting ?? null };
  }

  @Post('critical')
  @WithLock('/locks/critical')
  async critical() {
    events.push('enter');
    await sleep(15);
    events.push('exit');
    return { ok: true };
  }

  @Get('job')
  async job() {
    return { result: (await this.jobs.nightly()) ?? 'skipped' };
  }

  @Get('peers')
  async peers() {
    return this.discovery.getJson('orders', '/greeting');
  }

  @Get('health')
  async healthCheck() {
    return { ...(await this.health.isHealthy()), session: String(this.client.sessionId !== 0n) };
  }
}

function appModule(connectionString: string) {
  @Module({
    imports: [ZooModule.forRoot({ connectionString, service: { name: 'orders', address: '127.0.0.1' }, config: { app: 'orders' } })],
    controllers: [OrdersController],
    providers: [Jobs],
  })
  class AppModule {}
  return AppModule;
}

describe('ZooModule in real Nest HTTP apps on loopback', () => {
  let zoo: ZooServer;
  let session: ZooSession;
  const apps: INestApplication[] = [];
  const urls: string[] = [];

  beforeAll(async () => {
    zoo = await ZooServer.start({ port: 0 });
    session = new ZooSession(zoo.connectionString);
    await session.start();
    await new ConfigWriter(session.client).import('/config/orders', { greeting: 'hello' });
    for (let i = 0; i < 2; i++) {
      const moduleRef = await Test.createTestingModule({ imports: [appModule(zoo.connectionString)] }).compile();
      const app = moduleRef.createNestApplication({ logger: false });
      await app.listen(0, '127.0.0.1');
      apps.push(app);
      urls.push(await app.getUrl());
    }
  }, 30_000);

  afterAll(async () => {
    for (const app of apps) await app.close();
    await session?.close();
    await zoo?.close();
  });

  it('registers each app once it listens, with the port of its HTTP server', async () => {
    const discovery = new ServiceDiscovery(session);
    await expect.poll(async () => (await discovery.instances('orders')).length, { timeout: 5000 }).toBe(2);
    const ports = (await discovery.instances('orders')).map((i) => i.port).sort();
    expect(ports).toEqual(urls.map((u) => Number(new URL(u.replace('[::1]', 'localhost')).port)).sort());
  });

  it('serves live config values: a change is visible without a restart', async () => {
    expect(await (await fetch(`${urls[0]}/greeting`)).json()).toEqual({ greeting: 'hello' });
    await new ConfigWriter(session.client).set('/config/orders', 'greeting', 'bonjour');
    await expect.poll(async () => ((await (await fetch(`${urls[0]}/greeting`)).json()) as { greeting: string }).greeting, { timeout: 5000 }).toBe('bonjour');
  });

  it('two app instances never run a @WithLock method at once', async () => {
    events.length = 0;
    await Promise.all(Array.from({ length: 8 }, (_, i) => fetch(`${urls[i % 2]}/critical`, { method: 'POST' }).then((r) => expect(r.status).toBe(201))));
    expect(events).toEqual(Array.from({ length: 8 }, () => ['enter', 'exit']).flat());
  });

  it('@OnLeader runs only on the elected app', async () => {
    await expect.poll(async () => {
      const results = await Promise.all(urls.map(async (u) => ((await (await fetch(`${u}/job`)).json()) as { result: string }).result));
      return results.sort().join(',');
    }, { timeout: 5000 }).toBe('ran,skipped');
  });

  it('DiscoveryClient calls another service through the registry; the health indicator is up', async () => {
    expect(await (await fetch(`${urls[0]}/peers`)).json()).toEqual({ greeting: 'bonjour' });
    expect(await (await fetch(`${urls[1]}/health`)).json()).toMatchObject({ zoo: { status: 'up', state: 'connected' }, session: 'true' });
  });

  it('forRootAsync builds the options from injected providers', async () => {
    @Module({ providers: [{ provide: 'ZOO_URL', useValue: zoo.connectionString }], exports: ['ZOO_URL'] })
    class SettingsModule {}
    const moduleRef = await Test.createTestingModule({
      imports: [ZooModule.forRootAsync({ imports: [SettingsModule], inject: ['ZOO_URL'], useFactory: (url: string) => ({ connectionString: url }) })],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    expect(app.get(ZOO_MODULE_OPTIONS)).toEqual({ connectionString: zoo.connectionString });
    expect(app.get(ZooSession).client.state).toBe('connected');
    await app.close();
  });

  it('unregisters when an app closes', async () => {
    const discovery = new ServiceDiscovery(session);
    const app = apps.pop()!;
    await app.close();
    await expect.poll(async () => (await discovery.instances('orders')).length, { timeout: 5000 }).toBe(1);
  });
});
