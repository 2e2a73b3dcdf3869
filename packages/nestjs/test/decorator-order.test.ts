import 'reflect-metadata';
import { Controller, Get, HttpCode, Injectable, Module, Post, UseGuards, UseInterceptors } from '@nestjs/common';
import type { CallHandler, CanActivate, ExecutionContext, INestApplication, NestInterceptor } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Cron, ScheduleModule, SchedulerRegistry } from '@nestjs/schedule';
import type { Response } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooServer } from '@zoo/server';
import type { ZooClient } from '@zoo/client';
import { InjectZooClient, OnLeader, WithLock, ZooModule } from '../src/index.js';

@Injectable()
class AllowHeaderGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.switchToHttp().getRequest<{ headers: Record<string, string> }>().headers['x-allow'] === 'yes';
  }
}

@Injectable()
class TagInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler) {
    context.switchToHttp().getResponse<Response>().setHeader('x-tag', 'tagged');
    return next.handle();
  }
}

const cronRuns: string[] = [];

// Zoo's decorators written first (outermost) and last (innermost), next to Nest's own.
@Controller('ordered')
class OrderedController {
  constructor(@InjectZooClient() private readonly client: ZooClient) {}

  @WithLock('/locks/ordered')
  @Post('lock-first')
  @HttpCode(202)
  @UseGuards(AllowHeaderGuard)
  @UseInterceptors(TagInterceptor)
  async lockFirst() {
    return { holders: (await this.client.getChildren('/locks/ordered')).children.length };
  }

  @Post('lock-last')
  @HttpCode(202)
  @UseGuards(AllowHeaderGuard)
  @UseInterceptors(TagInterceptor)
  @WithLock('/locks/ordered')
  async lockLast() {
    return { holders: (await this.client.getChildren('/locks/ordered')).children.length };
  }

  @OnLeader('/election/ordered')
  @Get('leader-first')
  @UseGuards(AllowHeaderGuard)
  @UseInterceptors(TagInterceptor)
  async leaderFirst() {
    return 'ran';
  }

  @Get('leader-last')
  @UseGuards(AllowHeaderGuard)
  @UseInterceptors(TagInterceptor)
  @OnLeader('/election/ordered')
  async leaderLast() {
    return 'ran';
  }
}

@Injectable()
class Jobs {
  @Cron('0 0 1 1 *', { name: 'leader-first' })
  @OnLeader('/election/cron')
  async cronLeaderFirst() {
    cronRuns.push('leader-first');
  }

  @OnLeader('/election/cron')
  @Cron('0 0 1 1 *', { name: 'leader-last' })
  async cronLeaderLast() {
    cronRuns.push('leader-last');
  }

  @Cron('0 0 1 1 *', { name: 'lock-last' })
  @WithLock('/locks/cron')
  async cronLockLast() {
    cronRuns.push('lock-last');
  }
}

describe('@WithLock and @OnLeader keep the other decorators, in either order', () => {
  let zoo: ZooServer;
  const apps: INestApplication[] = [];
  const urls: string[] = [];

  beforeAll(async () => {
    zoo = await ZooServer.start({ port: 0 });
    @Module({
      imports: [ZooModule.forRoot({ connectionString: zoo.connectionString }), ScheduleModule.forRoot()],
      controllers: [OrderedController],
      providers: [Jobs],
    })
    class AppModule {}
    for (let i = 0; i < 2; i++) {
      const app = await NestFactory.create(AppModule, { logger: false });
      await app.listen(0, '127.0.0.1');
      apps.push(app);
      urls.push(await app.getUrl());
    }
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await zoo?.close();
  });

  for (const route of ['lock-first', 'lock-last']) {
    it(`${route}: route, status code, guard and interceptor apply, and the body runs holding the lock`, async () => {
      const denied = await fetch(`${urls[0]}/ordered/${route}`, { method: 'POST' });
      expect(denied.status).toBe(403);
      const res = await fetch(`${urls[0]}/ordered/${route}`, { method: 'POST', headers: { 'x-allow': 'yes' } });
      expect(res.status).toBe(202);
      expect(res.headers.get('x-tag')).toBe('tagged');
      expect(await res.json()).toEqual({ holders: 1 });
    });
  }

  for (const route of ['leader-first', 'leader-last']) {
    it(`${route}: route, guard and interceptor apply, and only the leader runs the body`, async () => {
      expect((await fetch(`${urls[0]}/ordered/${route}`)).status).toBe(403);
      const bodies = await Promise.all(
        urls.map(async (url) => {
          const res = await fetch(`${url}/ordered/${route}`, { headers: { 'x-allow': 'yes' } });
          expect(res.status).toBe(200);
          expect(res.headers.get('x-tag')).toBe('tagged');
          return res.text();
        }),
      );
      // the non-leader's handler returns undefined: an empty body
      expect(bodies.sort()).toEqual(['', 'ran']);
    });
  }

  it('@Cron jobs stay scheduled whichever side Zoo decorators are on; a leader-only job runs once across the apps', async () => {
    cronRuns.length = 0;
    for (const app of apps) {
      const registry = app.get(SchedulerRegistry);
      expect([...registry.getCronJobs().keys()].sort()).toEqual(['leader-first', 'leader-last', 'lock-last']);
      for (const name of ['leader-first', 'leader-last', 'lock-last']) await registry.getCronJob(name).fireOnTick();
    }
    await expect.poll(() => [...cronRuns].sort(), { timeout: 5000 }).toEqual(['leader-first', 'leader-last', 'lock-last', 'lock-last']);
  });
});
