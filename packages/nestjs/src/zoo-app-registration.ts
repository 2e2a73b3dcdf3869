import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Server } from 'node:net';
import { detectAddress, ServiceRegistry, type ServiceInstance } from '@zoo/discovery';
import { ZooConnection } from './zoo-connection.js';
import { MODULE_OPTIONS_TOKEN, type ZooModuleOptions } from './zoo-options.js';

/**
 * Registers the app (`service` option) once its HTTP server listens, whichever adapter it is
 * (Express, Fastify: both listen through a node:net server, which gives the port and bound
 * address), and unregisters it first thing at shutdown. The registry re-registers it on a new
 * session after an expiry.
 */
@Injectable()
export class ZooAppRegistration {
  private readonly logger = new Logger('ZooModule');
  private server?: Server;
  private registering?: Promise<ServiceInstance | undefined>;
  private closed = false;
  private readonly onListening = () => {
    this.registering = this.register().catch((err: unknown) => {
      this.logger.error(`could not register ${this.options.service?.name}: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    });
  };

  constructor(
    @Inject(MODULE_OPTIONS_TOKEN) private readonly options: ZooModuleOptions,
    private readonly connection: ZooConnection,
    private readonly registry: ServiceRegistry,
    @Optional() private readonly adapterHost?: HttpAdapterHost,
  ) {}

  /** The registered instance, once registered. */
  instance?: ServiceInstance;

  /** Starts waiting for the server to listen (or registers now if it already does). */
  attach(): void {
    if (!this.options.service) return;
    const server = this.adapterHost?.httpAdapter?.getHttpServer() as Server | undefined;
    if (!server || typeof server.once !== 'function') {
      this.logger.warn(`service ${this.options.service.name} is not registered: the app has no HTTP server`);
      return;
    }
    this.server = server;
    if (server.listening) this.onListening();
    else server.once('listening', this.onListening);
  }

  private async register(): Promise<ServiceInstance | undefined> {
    const service = this.options.service!;
    await this.connection.whenConnected();
    if (this.closed) return undefined;
    const bound = this.server!.address();
    if (!bound || typeof bound === 'string') throw new Error(`the HTTP server listens on ${String(bound)}, not a TCP port`);
    const { healthCheck, ...input } = service;
    const instance = await this.registry.register(
      { ...input, address: service.address ?? detectAddress(bound.address), port: service.port ?? bound.port },
      { healthCheck },
    );
    this.instance = instance;
    this.logger.log(`registered ${instance.name}/${instance.id} at ${instance.address}:${instance.port}`);
    return instance;
  }

  /** Unregisters (before the HTTP server stops accepting, so no new caller picks this instance). */
  async close(): Promise<void> {
    this.closed = true;
    this.server?.off('listening', this.onListening);
    const instance = await this.registering;
    if (instance) await this.registry.unregister(instance);
    this.instance = undefined;
  }
}
