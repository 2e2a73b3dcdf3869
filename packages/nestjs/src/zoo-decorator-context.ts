import { Inject, Injectable, Optional } from '@nestjs/common';
import { ConfigManager } from '@zoo/config';
import { ZooLeaders } from './zoo-leaders.js';
import { ZooLocks } from './zoo-locks.js';

/** One `@ZooConfig` property of a class. */
export interface ConfigBinding {
  key: string;
  property: string | symbol;
}

/**
 * What Zoo's decorators need at run time, injected into each instance that uses them (see
 * `bindToZoo`): the lock factory, the elections and the live configuration.
 */
@Injectable()
export class ZooDecoratorContext {
  constructor(
    readonly locks: ZooLocks,
    readonly leaders: ZooLeaders,
    @Optional() @Inject(ConfigManager) readonly config: ConfigManager | null,
  ) {}

  /** The live value of a `@ZooConfig` property; `fallback` (its initializer) while the key is absent. */
  read(binding: ConfigBinding, fallback: unknown): unknown {
    const raw = this.config?.get(binding.key);
    return raw === undefined ? fallback : raw;
  }
}
