import type { ServiceInstance } from '../service-instance.js';
import type { ProviderStrategy } from './strategy.js';

export class RoundRobinStrategy implements ProviderStrategy {
  private next = 0;

  pick(instances: readonly ServiceInstance[]): ServiceInstance | undefined {
    if (instances.length === 0) return undefined;
    return instances[this.next++ % instances.length];
  }
}
