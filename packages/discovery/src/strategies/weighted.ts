import type { ServiceInstance } from '../service-instance.js';
import type { ProviderStrategy } from './strategy.js';

/** Random, in proportion to each instance's payload `weight` (default 1; 0 = never). */
export class WeightedStrategy implements ProviderStrategy {
  constructor(private readonly random: () => number = Math.random) {}

  pick(instances: readonly ServiceInstance[]): ServiceInstance | undefined {
    const weights = instances.map((i) => {
      const w = Number(i.payload?.weight ?? 1);
      return Number.isFinite(w) && w > 0 ? w : 0;
    });
    const total = weights.reduce((a, b) => a + b, 0);
    if (total <= 0) return undefined;
    let r = this.random() * total;
    for (let i = 0; i < instances.length; i++) {
      r -= weights[i];
      if (r < 0) return instances[i];
    }
    return instances[weights.findLastIndex((w) => w > 0)];
  }
}
