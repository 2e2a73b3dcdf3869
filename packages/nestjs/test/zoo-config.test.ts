import 'reflect-metadata';
import * as nestCommon from '@nestjs/common';
import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { ZooSession } from '@zoo/client';
import { ConfigWriter } from '@zoo/config';
import { ServiceDiscovery } from '@zoo/discovery';
import { ZooServer } from '@zoo/server';
import * as zooNest from '../src/index.js';
import { compileFixture, startFixture, transpileFixtureModule } from './cli-app-fixture.js';

interface Greeting {
  controller: string | null;
  service: string | null;
  farewell: string;
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

/**
 * The same checks for every way of building the app: the value is there for the first request,
 * a change is seen by a later one, initializers are the fallback while a key is absent, and
 * request-scoped controllers are bound too.
 */
async function checkLiveConfig(url: string, writer: ConfigWriter, app: string): Promise<void> {
  expect(await getJson<Greeting>(`${url}/greeting`)).toEqual({ controller: 'hello', service: 'hello', farewell: 'goodbye' });
  expect(await getJson(`${url}/scoped`)).toEqual({ scoped: 'hello' });
  await writer.set(`/config/${app}`, 'greeting', 'bonjour');
  await writer.set(`/config/${app}`, 'farewell', 'au revoir');
  await expect.poll(() => getJson<Greeting>(`${url}/greeting`), { timeout: 5000 }).toEqual({ controller: 'bonjour', service: 'bonjour', farewell: 'au revoir' });
  expect(await getJson(`${url}/scoped`)).toEqual({ scoped: 'bonjour' });
  await writer.delete(`/config/${app}`, 'farewell');
  await expect.poll(async () => (await getJson<Greeting>(`${url}/greeting`)).farewell, { timeout: 5000 }).toBe('goodbye');
}

/** @WithLock / @OnLeader around route decorators, registration and DiscoveryClient in the same build. */
async function checkDecorators(url: string): Promise<void> {
  expect(await getJson(`${url}/jobs/locked`)).toEqual({ locked: true, greeting: 'hello' });
  await expect.poll(async () => (await fetch(`${url}/jobs/leader`)).text(), { timeout: 5000 }).toBe('{"leader":true}');
  // through the registry: this app registered itself with the port it listens on
  await expect.poll(async () => (await fetch(`${url}/jobs/peer`)).status, { timeout: 5000 }).toBe(200);
  expect(await getJson(`${url}/jobs/peer`)).toEqual({ locked: true, greeting: 'hello' });
}

describe('@ZooConfig whatever the class-field semantics', () => {
  let zoo: ZooServer;
  let session: ZooSession;
  let writer: ConfigWriter;

  beforeAll(async () => {
    zoo = await ZooServer.start({ port: 0 });
    session = new ZooSession(zoo.connectionString);
    await session.start();
    writer = new ConfigWriter(session.client);
  });

  afterAll(async () => {
    await session?.close();
    await zoo?.close();
  });

  for (const useDefineForClassFields of [true, false]) {
    describe(`useDefineForClassFields: ${useDefineForClassFields}`, () => {
      it('in this process, against the sources', async () => {
        await writer.import('/config/fixture', { greeting: 'hello' });
        const fixture = transpileFixtureModule(useDefineForClassFields, { '@nestjs/common': nestCommon, '@zoo/nestjs': zooNest });
        const { AppModule, GreetingService } = fixture as { AppModule: { forRoot(c: string): DynamicModule }; GreetingService: new () => object };
        // the fixture really was compiled with the semantics under test
        expect(Object.prototype.hasOwnProperty.call(new GreetingService(), 'greeting')).toBe(useDefineForClassFields);

        const app: INestApplication = await NestFactory.create(AppModule.forRoot(zoo.connectionString), { logger: false });
        try {
          await app.listen(0, '127.0.0.1');
          await checkDecorators(await app.getUrl());
          await checkLiveConfig(await app.getUrl(), writer, 'fixture');
        } finally {
          await app.close();
        }
      });

      it('compiled by tsc and run in its own process against the built package', async () => {
        await writer.import('/config/fixture', { greeting: 'hello' });
        const outDir = await compileFixture(useDefineForClassFields);
        const app = await startFixture(outDir, zoo.connectionString).catch((err) => {
          rmSync(outDir, { recursive: true, force: true });
          throw err;
        });
        try {
          await checkDecorators(app.url);
          await checkLiveConfig(app.url, writer, 'fixture');
        } finally {
          // closed cleanly: Nest re-raises SIGTERM after its shutdown hooks ran
          expect(await app.stop()).toEqual({ code: null, signal: 'SIGTERM' });
          rmSync(outDir, { recursive: true, force: true });
        }
        // it unregistered on the way out (not left to the session timeout)
        const discovery = new ServiceDiscovery(session);
        expect(await discovery.instances('fixture')).toEqual([]);
        await discovery.close();
      }, 60_000);
    });
  }
});
