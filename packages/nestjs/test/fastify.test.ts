import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooSession } from '@zoo/client';
import { ConfigWriter } from '@zoo/config';
import { ServiceDiscovery } from '@zoo/discovery';
import { ZooServer } from '@zoo/server';
import { DiscoveryClient, WithLock, ZooConfig, ZooModule } from '../src/index.js';

@Controller()
class CatalogController {
  @ZooConfig('greeting') greeting?: string;

  constructor(private readonly discovery: DiscoveryClient) {}

  @Get('greeting')
  @WithLock('/locks/fastify')
  greet() {
    return { greeting: this.greeting ?? null };
  }

  @Get('via-registry')
  viaRegistry() {
    return this.discovery.getJson('fastify-catalog', '/greeting');
  }
}

describe('ZooModule in a Fastify app', () => {
  let zoo: ZooServer;
  let session: ZooSession;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    zoo = await ZooServer.start({ port: 0 });
    session = new ZooSession(zoo.connectionString);
    await session.start();
    await new ConfigWriter(session.client).import('/config/fastify-catalog', { greeting: 'hello' });
    @Module({
      imports: [ZooModule.forRoot({ connectionString: zoo.connectionString, service: { name: 'fastify-catalog' }, config: { app: 'fastify-catalog' } })],
      controllers: [CatalogController],
    })
    class AppModule {}
    app = await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter(), { logger: false });
    await app.listen(0, '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
    await session?.close();
    await zoo?.close();
  });

  it('does not depend on @zoo/express (integrations are siblings)', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as Record<string, Record<string, string> | undefined>;
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) expect(Object.keys(pkg[field] ?? {})).not.toContain('@zoo/express');
  });

  it('registers with the port and address Fastify listens on, and serves through the registry', async () => {
    const port = Number(new URL(await app.getUrl()).port);
    const discovery = new ServiceDiscovery(session);
    await expect.poll(async () => (await discovery.instances('fastify-catalog')).map((i) => `${i.address}:${i.port}`), { timeout: 5000 }).toEqual([`127.0.0.1:${port}`]);
    const res = await app.inject({ method: 'GET', url: '/via-registry' });
    expect(res.json()).toEqual({ greeting: 'hello' });
    await discovery.close();
  });

  it('unregisters when the app closes', async () => {
    const discovery = new ServiceDiscovery(session);
    await app.close();
    expect(await discovery.instances('fastify-catalog')).toEqual([]);
    await discovery.close();
  });
});
