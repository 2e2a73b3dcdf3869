import type { ServiceInstance } from '../service-instance.js';
import type { ProviderStrategy } from './strategy.js';

export class RandomStrategy implements ProviderStrategy {
  constructor(private readonly random: () => number = Math.random) {}

  pick(instances: readonly ServiceInstance[]): ServiceInstance | undefined {
    if (instances.length === 0) return undefined;
    return instances[Math.floor(this.random() * instances.length)];
  }
}
