import 'reflect-metadata';
import { Controller, Get, Module, type LoggerService } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooSession } from '@zoo/client';
import { ConfigWriter } from '@zoo/config';
import { ZooServer } from '@zoo/server';
import { ZooConfig, ZooModule, type ConfigValueSchema } from '../src/index.js';

// not zod: a hand-written Standard Schema and a bare safeParse object, as other libraries give
const percent: ConfigValueSchema<number> = {
  '~standard': {
    version: 1,
    vendor: 'test',
    validate: (value: unknown) => {
      const n = Number(value);
      return Number.isInteger(n) && n >= 0 && n <= 100 ? { value: n } : { issues: [{ message: 'not a percentage' }] };
    },
  },
};
const upper: ConfigValueSchema<string> = {
  safeParse: (value: unknown) => (typeof value === 'string' && value === value.toUpperCase() ? { success: true, data: value } : { success: false, error: { message: 'not upper case' } }),
};

@Controller()
class LimitsController {
  @ZooConfig('max.quantity', { schema: z.coerce.number().int().positive() }) maxQuantity = 10;
  @ZooConfig('discount', { schema: percent }) discount = 0;
  @ZooConfig('region', { schema: upper }) region: string | undefined;

  @Get('limits')
  limits() {
    return { maxQuantity: this.maxQuantity, discount: this.discount, region: this.region ?? null };
  }
}

class CapturingLogger implements LoggerService {
  readonly warnings: string[] = [];
  log() {}
  error() {}
  debug() {}
  verbose() {}
  warn(message: unknown) {
    this.warnings.push(String(message));
  }
}

describe('@ZooConfig with a schema', () => {
  let zoo: ZooServer;
  let session: ZooSession;
  let writer: ConfigWriter;
  let app: INestApplication;
  let url: string;
  const logger = new CapturingLogger();
  const limits = async () => (await (await fetch(`${url}/limits`)).json()) as { maxQuantity: number; discount: number; region: string | null };

  beforeAll(async () => {
    zoo = await ZooServer.start({ port: 0 });
    session = new ZooSession(zoo.connectionString);
    await session.start();
    writer = new ConfigWriter(session.client);
    await writer.import('/config/shop', { 'max.quantity': '5', discount: '15', region: 'eu' });
    @Module({ imports: [ZooModule.forRoot({ connectionString: zoo.connectionString, config: { app: 'shop' } })], controllers: [LimitsController] })
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

  it('gives converted values; an invalid one at startup falls back to the initializer and is logged', async () => {
    expect(await limits()).toEqual({ maxQuantity: 5, discount: 15, region: null });
    expect(logger.warnings.some((w) => w.includes('LimitsController.region') && w.includes('region="eu" rejected (not upper case)'))).toBe(true);
  });

  it('an invalid update keeps the last good value and says why, when it arrives; a valid one applies', async () => {
    logger.warnings.length = 0;
    await writer.set('/config/shop', 'max.quantity', 'lots');
    // logged on arrival, before anything reads the property
    await expect.poll(() => logger.warnings.find((w) => w.includes('max.quantity="lots" rejected')), { timeout: 5000 }).toMatch(/LimitsController\.maxQuantity: .*keeping 5/);
    expect((await limits()).maxQuantity).toBe(5);
    await writer.set('/config/shop', 'discount', '150');
    await expect.poll(() => logger.warnings.some((w) => w.includes('discount="150" rejected (not a percentage); keeping 15')), { timeout: 5000 }).toBe(true);
    await writer.import('/config/shop', { 'max.quantity': '7', discount: '20', region: 'EU' });
    await expect.poll(limits, { timeout: 5000 }).toEqual({ maxQuantity: 7, discount: 20, region: 'EU' });
    await writer.import('/config/shop', { region: 'EU' });
    await expect.poll(limits, { timeout: 5000 }).toEqual({ maxQuantity: 10, discount: 0, region: 'EU' });
  });
});
