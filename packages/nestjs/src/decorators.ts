import { ZOO_AWARE, ZOO_CONFIG_SLOT, ZOO_LEADER_PATHS, ZOO_LEADERS_SLOT, ZOO_LOCKS_SLOT } from './tokens.js';
import type { ZooLocks } from './zoo-locks.js';
import type { ZooLeaders } from './zoo-leaders.js';
import type { ConfigManager } from '@zoo/config';

type Slots = { [ZOO_LOCKS_SLOT]?: ZooLocks; [ZOO_LEADERS_SLOT]?: ZooLeaders; [ZOO_CONFIG_SLOT]?: ConfigManager };

function markAware(target: object): void {
  Reflect.defineMetadata(ZOO_AWARE, true, target.constructor);
}

/**
 * Runs the method while holding the distributed mutex at `path` (Curator's protocol), so the
 * method never runs in two app instances at once.
 */
export function WithLock(path: string, options: { timeoutMs?: number } = {}): MethodDecorator {
  return (target, _key, descriptor: PropertyDescriptor) => {
    markAware(target);
    const original = descriptor.value as (...args: unknown[]) => unknown;
    descriptor.value = async function (this: Slots, ...args: unknown[]) {
      const locks = this[ZOO_LOCKS_SLOT];
      if (!locks) throw new Error(`@WithLock('${path}'): ZooModule is not imported where this class lives`);
      return locks.mutex(path).withLock(() => original.apply(this, args), { timeoutMs: options.timeoutMs });
    };
    return descriptor;
  };
}

/**
 * The method runs only on the elected leader of `path` (a Curator-compatible LeaderLatch the
 * module joins at startup); elsewhere calls return undefined. Meant for scheduled jobs.
 */
export function OnLeader(path: string): MethodDecorator {
  return (target, _key, descriptor: PropertyDescriptor) => {
    markAware(target);
    const paths: string[] = Reflect.getMetadata(ZOO_LEADER_PATHS, target.constructor) ?? [];
    Reflect.defineMetadata(ZOO_LEADER_PATHS, [...new Set([...paths, path])], target.constructor);
    const original = descriptor.value as (...args: unknown[]) => unknown;
    descriptor.value = async function (this: Slots, ...args: unknown[]) {
      if (!this[ZOO_LEADERS_SLOT]?.isLeader(path)) return undefined;
      return original.apply(this, args);
    };
    return descriptor;
  };
}

/** A property that always reads the live value of a config key (`ZooModule` with `config`). */
export function ZooConfig(key: string): PropertyDecorator {
  return (target, property) => {
    markAware(target);
    Object.defineProperty(target, property, {
      configurable: true,
      enumerable: true,
      get(this: Slots) {
        return this[ZOO_CONFIG_SLOT]?.get(key);
      },
      set() {
        // assignments (e.g. by a field initializer) do not override the live value
      },
    });
  };
}
