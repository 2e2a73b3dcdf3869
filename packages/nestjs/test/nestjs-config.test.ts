import 'reflect-metadata';
import { Controller, Get, Inject, Module, type LoggerService } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { ConfigModule, ConfigService, registerAs } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooError, ZooErrorCode, ZooSession } from '@zoo/client';
import { ConfigWriter } from '@zoo/config';
import { ZooServer } from '@zoo/server';
import { freePort } from '@zoo/zookeeper';
import { zooConfigLoader } from '../src/index.js';

@Controller()
class SettingsController {
  constructor(
    private readonly config: ConfigService,
    @Inject('GREETING_AT_BOOT') private readonly greetingAtBoot: string,
  ) {}

  @Get('settings')
  settings() {
    return {
      greeting: this.config.get<string>('zoo.greeting') ?? null,
      maxQuantity: this.config.get<number>('billing.max.quantity') ?? null,
      atBoot: this.greetingAtBoot,
    };
  }
}

const warnings: string[] = [];
const logger: LoggerService = { log() {}, error() {}, warn: (m: unknown) => void warnings.push(String(m)) };

const billingSchema = z.object({ max: z.object({ quantity: z.coerce.number().int().positive() }) });

describe('@nestjs/config sees Zoo configuration through zooConfigLoader', () => {
  let zoo: ZooServer;
  let session: ZooSession;
  let writer: ConfigWriter;
  let app: INestApplication;
  let url: string;
  const settings = async () => (await (await fetch(`${url}/settings`)).json()) as { greeting: string | null; maxQuantity: number | null; atBoot: string };

  beforeAll(async () => {
    zoo = await ZooServer.start({ port: 0 });
    session = new ZooSession(zoo.connectionString);
    await session.start();
    writer = new ConfigWriter(session.client);
    await writer.import('/config/orders', { greeting: 'hello' });
    await writer.import('/config/billing', { 'max.quantity': '5' });
    const connectionString = zoo.connectionString;
    @Module({
      imports: [
        ConfigModule.forRoot({
          ignoreEnvFile: true,
          load: [
            registerAs('zoo', zooConfigLoader({ connectionString, app: 'orders' })),
            registerAs('billing', zooConfigLoader({ connectionString, app: 'billing', schema: billingSchema })),
          ],
        }),
      ],
      controllers: [SettingsController],
      // a provider that reads the configuration while the app starts (as forRootAsync factories do)
      providers: [{ provide: 'GREETING_AT_BOOT', inject: [ConfigService], useFactory: (c: ConfigService) => c.get<string>('zoo.greeting') }],
    })
    class AppModule {}
    app = await NestFactory.create(AppModule, { logger });
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
  });

  afterAll(async () => {
    await app?.close();
    await session?.close();
    await zoo?.close();
  });

  it('ConfigService.get gives the values from startup on, typed by the schema', async () => {
    expect(await settings()).toEqual({ greeting: 'hello', maxQuantity: 5, atBoot: 'hello' });
  });

  it('a change in Zoo is seen by the next ConfigService.get; an invalid one keeps the last good configuration', async () => {
    await writer.set('/config/orders', 'greeting', 'bonjour');
    await writer.set('/config/billing', 'max.quantity', '8');
    await expect.poll(settings, { timeout: 5000 }).toEqual({ greeting: 'bonjour', maxQuantity: 8, atBoot: 'hello' });
    await writer.set('/config/billing', 'max.quantity', '-1');
    await expect.poll(() => warnings.find((w) => w.includes('configuration of billing')), { timeout: 5000 }).toMatch(/rejected, keeping the last good one/);
    expect((await settings()).maxQuantity).toBe(8);
    await writer.delete('/config/orders', 'greeting');
    await expect.poll(async () => (await settings()).greeting, { timeout: 5000 }).toBeNull();
  });

  it("the loaders' sessions close with the app", async () => {
    expect(zoo.connectionCount).toBe(3); // this test's session and one per loader
    await app.close();
    await expect.poll(() => zoo.connectionCount, { timeout: 5000 }).toBe(1);
  });

  it('an unreachable service fails startup naming the connection string (fail-fast)', async () => {
    const connectionString = `127.0.0.1:${await freePort()}`;
    @Module({ imports: [ConfigModule.forRoot({ ignoreEnvFile: true, load: [registerAs('zoo', zooConfigLoader({ connectionString, app: 'orders', connectTimeoutMs: 300 }))] })] })
    class AppModule {}
    const err = (await NestFactory.create(AppModule, { logger: false, abortOnError: false }).catch((e: unknown) => e)) as ZooError;
    expect(err).toBeInstanceOf(ZooError);
    expect(err.code).toBe(ZooErrorCode.CONNECTIONLOSS);
    expect(err.message).toContain(connectionString);
  });
});
