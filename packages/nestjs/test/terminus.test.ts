import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooServer } from '@zoo/server';
import { freePort } from '@zoo/zookeeper';
import { ZooHealthIndicator, ZooModule } from '../src/index.js';

@Controller('health')
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly zoo: ZooHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.zoo.isHealthy('zoo')]);
  }
}

describe('ZooHealthIndicator in @nestjs/terminus', () => {
  let port: number;
  let app: INestApplication;
  let url: string;
  let zoo: ZooServer | undefined;

  beforeAll(async () => {
    port = await freePort();
    @Module({
      imports: [TerminusModule.forRoot({ logger: false }), ZooModule.forRoot({ connectionString: `127.0.0.1:${port}`, startup: 'lazy', connectTimeoutMs: 300, service: { name: 'healthy' } })],
      controllers: [HealthController],
    })
    class AppModule {}
    app = await NestFactory.create(AppModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
  });

  afterAll(async () => {
    await app?.close();
    await zoo?.close();
  });

  const check = async () => {
    const res = await fetch(`${url}/health`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('is DOWN (503, under error) while the coordination service is unreachable', async () => {
    expect(await check()).toEqual({
      status: 503,
      body: {
        status: 'error',
        info: {},
        error: { zoo: { status: 'down', state: 'connecting', registered: [] } },
        details: { zoo: { status: 'down', state: 'connecting', registered: [] } },
      },
    });
  });

  it('is UP (200) once connected and registered, and DOWN again when the service goes away', async () => {
    zoo = await ZooServer.start({ port });
    await expect.poll(async () => (await check()).status, { timeout: 20_000 }).toBe(200);
    const { body } = await check();
    expect(body).toMatchObject({ status: 'ok', info: { zoo: { status: 'up', state: 'connected' } }, error: {} });
    expect((body.info as { zoo: { registered: string[] } }).zoo.registered).toEqual([expect.stringMatching(/^healthy\//)]);
    await zoo.close();
    zoo = undefined;
    await expect.poll(async () => (await check()).status, { timeout: 10_000 }).toBe(503);
    expect((await check()).body).toMatchObject({ status: 'error', error: { zoo: { status: 'down', state: 'disconnected' } } });
  }, 40_000);
});
