import type { ServiceInstance } from '../service-instance.js';
import type { ProviderStrategy } from './strategy.js';

/** The instance with the fewest calls in flight (through this provider); ties go round-robin. */
export class LeastOutstandingStrategy implements ProviderStrategy {
  private readonly outstanding = new Map<string, number>();
  private turn = 0;

  pick(instances: readonly ServiceInstance[]): ServiceInstance | undefined {
    if (instances.length === 0) return undefined;
    let min = Infinity;
    for (const i of instances) min = Math.min(min, this.outstanding.get(i.id) ?? 0);
    const least = instances.filter((i) => (this.outstanding.get(i.id) ?? 0) === min);
    return least[this.turn++ % least.length];
  }

  started(instance: ServiceInstance): void {
    this.outstanding.set(instance.id, (this.outstanding.get(instance.id) ?? 0) + 1);
  }

  finished(instance: ServiceInstance): void {
    const n = (this.outstanding.get(instance.id) ?? 1) - 1;
    if (n <= 0) this.outstanding.delete(instance.id);
    else this.outstanding.set(instance.id, n);
  }

  inFlight(id: string): number {
    return this.outstanding.get(id) ?? 0;
  }
}
