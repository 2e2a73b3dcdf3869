import 'reflect-metadata';
import { Controller, Get, Injectable, Module } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooClient, ZooSession } from '@zoo/client';
import { ConfigWriter } from '@zoo/config';
import { ServiceDiscovery, ServiceRegistry, type ServiceInstance } from '@zoo/discovery';
import { ZooServer } from '@zoo/server';
import { TcpProxy } from '../../client/test/tcp-proxy.js';
import { InjectZooClient, OnLeader, ZooConfig, ZooHealthIndicator, ZooLeaders, ZooModule } from '../src/index.js';

@Injectable()
class Jobs {
  @OnLeader('/election/expiring')
  async run(): Promise<string> {
    return 'ran';
  }
}

@Controller()
class StatusController {
  @ZooConfig('greeting') greeting?: string;

  constructor(
    @InjectZooClient() private readonly client: ZooClient,
    private readonly jobs: Jobs,
  ) {}

  @Get('status')
  async status() {
    await this.client.exists('/'); // the injected client still works
    return { session: this.client.sessionId.toString(16), greeting: this.greeting ?? null, job: (await this.jobs.run()) ?? 'skipped' };
  }
}

describe('the app survives a session expiry', () => {
  let zoo: ZooServer;
  let proxy: TcpProxy;
  let observer: ZooSession;
  let app: INestApplication;
  let url: string;
  const events: string[] = [];

  beforeAll(async () => {
    zoo = await ZooServer.start({ port: 0 });
    proxy = await TcpProxy.start(zoo.port);
    observer = new ZooSession(zoo.connectionString);
    await observer.start();
    await new ConfigWriter(observer.client).import('/config/expiring', { greeting: 'hello' });
    @Module({
      imports: [
        ZooModule.forRoot({
          connectionString: `127.0.0.1:${proxy.port}`,
          clientOptions: { sessionTimeout: 4000 },
          service: { name: 'expiring', address: '127.0.0.1' },
          config: { app: 'expiring' },
        }),
      ],
      controllers: [StatusController],
      providers: [Jobs],
    })
    class AppModule {}
    app = await NestFactory.create(AppModule, { logger: false });
    // the hooks an app has: the session's events, the registry's and each election's
    const session = app.get(ZooSession);
    for (const name of ['expired', 'session', 'disconnected', 'reconnected'] as const) session.on(name, () => events.push(`session:${name}`));
    app.get(ServiceRegistry).on('reregistered', (i: ServiceInstance, why: string) => events.push(`registry:reregistered ${i.name} (${why})`));
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
    app.get(ZooLeaders).latch('/election/expiring')!.on('isLeader', () => events.push('latch:isLeader'));
  });

  afterAll(async () => {
    await app?.close();
    await observer?.close();
    await proxy?.close();
    await zoo?.close();
  });

  it('a new session behind the same providers: client, registration, election, live config and health come back', async () => {
    const status = async () => (await (await fetch(`${url}/status`)).json()) as { session: string; greeting: string | null; job: string };
    await expect.poll(status, { timeout: 5000 }).toMatchObject({ greeting: 'hello', job: 'ran' });
    const before = await status();
    const discovery = new ServiceDiscovery(observer);
    await expect.poll(async () => (await discovery.instances('expiring')).length, { timeout: 5000 }).toBe(1);

    // expire the app's session: cut it off, take the session over from another client and end it
    const session = app.get(ZooSession);
    const old = session.client;
    proxy.blackhole();
    proxy.drop();
    const thief = new ZooClient(zoo.connectionString, { session: { id: old.sessionId, password: old.sessionPassword } });
    await thief.connect();
    await thief.close();
    expect(await discovery.instances('expiring')).toEqual([]); // its ephemeral went with the session
    proxy.heal();

    await expect.poll(() => events.includes('session:expired') && events.includes('session:session'), { timeout: 20_000 }).toBe(true);
    expect(session.client).not.toBe(old);
    await expect.poll(async () => (await discovery.instances('expiring')).length, { timeout: 10_000 }).toBe(1);
    const instanceNode = await observer.client.exists(`/services/expiring/${(await discovery.instances('expiring'))[0].id}`);
    expect(instanceNode?.ephemeralOwner).toBe(session.client.sessionId);
    await expect.poll(status, { timeout: 10_000 }).toMatchObject({ session: session.client.sessionId.toString(16), job: 'ran' });
    expect((await status()).session).not.toBe(before.session);
    expect(events).toContain('registry:reregistered expiring (new session)');
    expect(events.filter((e) => e === 'latch:isLeader').length).toBeGreaterThanOrEqual(1);

    // the configuration watch was re-armed on the new session
    await new ConfigWriter(observer.client).set('/config/expiring', 'greeting', 'after expiry');
    await expect.poll(async () => (await status()).greeting, { timeout: 5000 }).toBe('after expiry');
    expect((await app.get(ZooHealthIndicator).isHealthy()).zoo.status).toBe('up');
    await discovery.close();
  }, 60_000);
});
