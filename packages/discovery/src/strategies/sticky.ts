import type { ServiceInstance } from '../service-instance.js';
import type { ProviderStrategy } from './strategy.js';

/** Keeps returning the same instance while it is available; picks a new one with `fallback` when it goes. */
export class StickyStrategy implements ProviderStrategy {
  private current?: string;

  constructor(private readonly fallback: ProviderStrategy) {}

  pick(instances: readonly ServiceInstance[]): ServiceInstance | undefined {
    const kept = instances.find((i) => i.id === this.current);
    if (kept) return kept;
    const chosen = this.fallback.pick(instances);
    this.current = chosen?.id;
    return chosen;
  }
}
