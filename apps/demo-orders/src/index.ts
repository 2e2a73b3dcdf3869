import 'reflect-metadata';
import { Body, Controller, Get, HttpException, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import type { ZooClientOptions } from '@zoo/client';
import { DiscoveryClient, WithLock, ZooConfig, ZooModule } from '@zoo/nestjs';

interface Product {
  id: string;
  name: string;
  price: number;
  servedBy: string;
}

const reserved = new Map<string, number>();

@Controller()
class OrdersController {
  @ZooConfig('greeting') greeting?: string;
  @ZooConfig('currency') currency?: string;
  @ZooConfig('max.quantity') maxQuantity?: string;

  constructor(private readonly discovery: DiscoveryClient) {}

  /** The live settings from /config/demo-orders (change them with `zoo config set`). */
  @Get('settings')
  settings() {
    return { greeting: this.greeting ?? 'hello', currency: this.currency ?? 'EUR', maxQuantity: Number(this.maxQuantity ?? 5) };
  }

  /**
   * Places an order: looks the product up in the catalog, reserves stock under a lock shared by
   * every orders instance. `lockHeld` is when this call was inside the section (epoch ms), so
   * a client can see that no two instances were ever in it at once.
   */
  @Post()
  @WithLock('/demo/locks/stock')
  async order(@Body() body: { productId?: string; quantity?: number }) {
    const enteredAt = Date.now();
    const quantity = body.quantity ?? 1;
    if (quantity > Number(this.maxQuantity ?? 5)) throw new HttpException({ error: `at most ${this.maxQuantity ?? 5} per order` }, 400);
    const product = await this.discovery.getJson<Product>('catalog', `/products/${body.productId ?? 'p1'}`);
    reserved.set(product.id, (reserved.get(product.id) ?? 0) + quantity);
    const lockHeld = { from: enteredAt, to: Date.now() };
    return { ...this.settings(), product: product.name, quantity, total: product.price * quantity, catalogInstance: product.servedBy, reserved: reserved.get(product.id), lockHeld };
  }

  @Get('products')
  products() {
    return this.discovery.getJson('catalog', '/products');
  }
}

export interface OrdersOptions {
  connectionString: string;
  port?: number;
  host?: string;
  clientOptions?: ZooClientOptions;
}

/** demo-orders: a NestJS service registered as `orders`, configured from /config/demo-orders. */
export async function startOrders(options: OrdersOptions): Promise<{ url: string; app: INestApplication; stop(): Promise<void> }> {
  @Module({
    imports: [ZooModule.forRoot({ connectionString: options.connectionString, clientOptions: options.clientOptions, service: { name: 'orders', address: options.host ?? '127.0.0.1' }, config: { app: 'demo-orders' } })],
    controllers: [OrdersController],
  })
  class OrdersModule {}
  const app = await NestFactory.create(OrdersModule, { logger: ['error', 'warn'] });
  await app.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { url, app, stop: () => app.close() };
}
