import type { ServiceInstance } from '../service-instance.js';

/** Chooses one instance among the available ones (Curator's ProviderStrategy). */
export interface ProviderStrategy {
  pick(instances: readonly ServiceInstance[]): ServiceInstance | undefined;
  /** Told when a call on an instance starts and ends (least-outstanding uses it). */
  started?(instance: ServiceInstance): void;
  finished?(instance: ServiceInstance): void;
}
