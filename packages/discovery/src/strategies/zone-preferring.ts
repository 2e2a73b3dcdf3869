import type { ServiceInstance } from '../service-instance.js';
import type { ProviderStrategy } from './strategy.js';

/** Instances in `zone` (payload zone) when there are any, otherwise all; `inner` chooses among them. */
export class ZonePreferringStrategy implements ProviderStrategy {
  constructor(
    private readonly zone: string,
    private readonly inner: ProviderStrategy,
  ) {}

  pick(instances: readonly ServiceInstance[]): ServiceInstance | undefined {
    const local = instances.filter((i) => i.payload?.zone === this.zone);
    return this.inner.pick(local.length > 0 ? local : instances);
  }

  started(instance: ServiceInstance): void {
    this.inner.started?.(instance);
  }

  finished(instance: ServiceInstance): void {
    this.inner.finished?.(instance);
  }
}
