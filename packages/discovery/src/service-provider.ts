import { DownInstancePolicy } from './down-instance-policy.js';
import type { ServiceInstance } from './service-instance.js';
import { RoundRobinStrategy } from './strategies/round-robin.js';
import type { ProviderStrategy } from './strategies/strategy.js';

export interface ProviderOptions {
  strategy?: ProviderStrategy;
  /** Only instances with all these tags. */
  tags?: string[];
  /** Only instances whose metadata has these values. */
  metadata?: Record<string, string>;
  filter?: (instance: ServiceInstance) => boolean;
  downInstancePolicy?: DownInstancePolicy;
}

export interface CallOptions {
  /** Instances tried at most (default 3). */
  maxAttempts?: number;
  signal?: AbortSignal;
  /** Give up after this many ms (across attempts). */
  timeoutMs?: number;
}

/** No instance could be chosen. */
export class NoInstanceError extends Error {
  override readonly name = 'NoInstanceError';
  constructor(readonly service: string) {
    super(`no available instance of service "${service}"`);
  }
}

/** Every attempt of a call failed; `attempts` lists each instance tried and its error. */
export class FailoverError extends Error {
  override readonly name = 'FailoverError';
  constructor(
    readonly service: string,
    readonly attempts: Array<{ instance: ServiceInstance; error: unknown }>,
  ) {
    const last = attempts[attempts.length - 1];
    super(
      `all ${attempts.length} attempt(s) on service "${service}" failed; last: ${describe(last?.error)} — tried ${attempts.map((a) => `${a.instance.id}@${a.instance.address}:${a.instance.port ?? ''}`).join(', ')}`,
      { cause: last?.error },
    );
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Chooses instances of one service (strategy, filters, down-instance policy) and runs calls
 * with failover: on an error the next instance is tried, up to `maxAttempts`, within the
 * signal and timeout.
 */
export class ServiceProvider {
  private readonly strategy: ProviderStrategy;
  readonly downInstancePolicy: DownInstancePolicy;

  constructor(
    readonly service: string,
    private readonly source: () => readonly ServiceInstance[],
    private readonly options: ProviderOptions = {},
  ) {
    this.strategy = options.strategy ?? new RoundRobinStrategy();
    this.downInstancePolicy = options.downInstancePolicy ?? new DownInstancePolicy();
  }

  /** The instances calls may use now. */
  instances(exclude?: ReadonlySet<string>): ServiceInstance[] {
    const { tags, metadata, filter } = this.options;
    return this.source().filter((i) => {
      if (!i.enabled || exclude?.has(i.id) || this.downInstancePolicy.isDown(i.id)) return false;
      if (tags && !tags.every((t) => i.payload?.tags?.includes(t))) return false;
      if (metadata && !Object.entries(metadata).every(([k, v]) => i.payload?.metadata?.[k] === v)) return false;
      return !filter || filter(i);
    });
  }

  getInstance(): ServiceInstance | undefined {
    return this.strategy.pick(this.instances());
  }

  noteError(instance: ServiceInstance): void {
    this.downInstancePolicy.noteError(instance.id);
  }

  async call<T>(fn: (instance: ServiceInstance, signal: AbortSignal) => Promise<T>, options: CallOptions = {}): Promise<T> {
    const signals = [options.signal, options.timeoutMs !== undefined ? AbortSignal.timeout(options.timeoutMs) : undefined].filter((s): s is AbortSignal => !!s);
    const signal = signals.length ? AbortSignal.any(signals) : new AbortController().signal;
    const maxAttempts = options.maxAttempts ?? 3;
    const attempts: Array<{ instance: ServiceInstance; error: unknown }> = [];
    const tried = new Set<string>();
    while (attempts.length < maxAttempts) {
      signal.throwIfAborted();
      const instance = this.strategy.pick(this.instances(tried));
      if (!instance) break;
      tried.add(instance.id);
      this.strategy.started?.(instance);
      try {
        const result = await fn(instance, signal);
        this.downInstancePolicy.noteSuccess(instance.id);
        return result;
      } catch (error) {
        attempts.push({ instance, error });
        this.noteError(instance);
        if (signal.aborted) break;
      } finally {
        this.strategy.finished?.(instance);
      }
    }
    if (attempts.length === 0) throw new NoInstanceError(this.service);
    throw new FailoverError(this.service, attempts);
  }
}
