import 'reflect-metadata';
import { Controller, Get, Injectable, Module } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { afterEach, describe, expect, it } from 'vitest';
import { ZooError, ZooErrorCode, ZooSession } from '@zoo/client';
import { ConfigWriter } from '@zoo/config';
import { ServiceDiscovery } from '@zoo/discovery';
import { ZooServer } from '@zoo/server';
import { freePort } from '@zoo/zookeeper';
import { DiscoveryClient, OnLeader, ZooConfig, ZooHealthIndicator, ZooModule } from '../src/index.js';

@Injectable()
class Jobs {
  @OnLeader('/election/lazy')
  async run(): Promise<string> {
    return 'ran';
  }
}

@Controller()
class LazyController {
  @ZooConfig('greeting') greeting = 'default';

  constructor(
    private readonly health: ZooHealthIndicator,
    private readonly jobs: Jobs,
    private readonly discovery: DiscoveryClient,
  ) {}

  @Get('peer')
  async peer() {
    return this.discovery.getJson('lazy', '/state').catch((err: Error) => ({ error: err.message }));
  }

  @Get('state')
  async state() {
    return { greeting: this.greeting, health: (await this.health.isHealthy()).zoo, job: (await this.jobs.run()) ?? 'skipped' };
  }
}

describe('startup against an unreachable coordination service', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('fail-fast (the default): startup fails after the connect timeout with an error naming the connection string', async () => {
    const connectionString = `127.0.0.1:${await freePort()}`;
    @Module({ imports: [ZooModule.forRoot({ connectionString, connectTimeoutMs: 300 })] })
    class AppModule {}
    const err = (await NestFactory.create(AppModule, { logger: false, abortOnError: false }).catch((e: unknown) => e)) as ZooError;
    expect(err).toBeInstanceOf(ZooError);
    expect(err.code).toBe(ZooErrorCode.CONNECTIONLOSS);
    expect(err.message).toContain(`"${connectionString}" within 300 ms`);
    expect(err.message).toContain("startup: 'lazy'");
  });

  it("lazy: the app starts and answers at once (health DOWN, initializers); once the service is up it connects, loads config, registers and elects", async () => {
    const port = await freePort();
    const connectionString = `127.0.0.1:${port}`;
    @Module({
      imports: [ZooModule.forRoot({ connectionString, startup: 'lazy', connectTimeoutMs: 300, service: { name: 'lazy' }, config: { app: 'lazy' } })],
      controllers: [LazyController],
      providers: [Jobs],
    })
    class AppModule {}
    const app: INestApplication = await NestFactory.create(AppModule, { logger: false, abortOnError: false });
    cleanup.push(() => app.close());
    await app.listen(0, '127.0.0.1');
    const url = await app.getUrl();
    const state = async () => (await (await fetch(`${url}/state`)).json()) as { greeting: string; health: { status: string; state: string }; job: string };
    expect(await state()).toEqual({ greeting: 'default', health: { status: 'down', state: 'connecting', registered: [] }, job: 'skipped' });
    expect(await (await fetch(`${url}/peer`)).json()).toEqual({ error: 'CONNECTIONLOSS: cannot look up lazy: not connected to the coordination service yet' });

    const zoo = await ZooServer.start({ port });
    cleanup.push(() => zoo.close());
    const session = new ZooSession(zoo.connectionString);
    await session.start();
    cleanup.push(() => session.close());
    await new ConfigWriter(session.client).import('/config/lazy', { greeting: 'hello' });

    await expect.poll(async () => (await state()).health.status, { timeout: 20_000 }).toBe('up');
    await expect.poll(state, { timeout: 5000 }).toMatchObject({ greeting: 'hello', job: 'ran' });
    const discovery = new ServiceDiscovery(session);
    cleanup.push(() => discovery.close());
    expect((await discovery.instances('lazy')).map((i) => i.port)).toEqual([Number(new URL(url).port)]);
    // a lookup that failed before the connection does not stick: through the registry to itself
    expect(await (await fetch(`${url}/peer`)).json()).toMatchObject({ greeting: 'hello', job: 'ran' });
    await app.close();
    expect(await discovery.instances('lazy')).toEqual([]);
  }, 40_000);

  it('lazy: an app that never connected closes promptly', async () => {
    const connectionString = `127.0.0.1:${await freePort()}`;
    @Module({ imports: [ZooModule.forRoot({ connectionString, startup: 'lazy', connectTimeoutMs: 300 })], controllers: [LazyController], providers: [Jobs] })
    class AppModule {}
    const app = await NestFactory.create(AppModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    await app.close();
    expect(app.get(ZooSession).started).toBe(false);
  });
});
