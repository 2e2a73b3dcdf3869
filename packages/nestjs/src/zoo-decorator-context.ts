import { Inject, Injectable, Logger, Optional, type OnModuleDestroy } from '@nestjs/common';
import { ConfigManager, type ConfigDiff } from '@zoo/config';
import { validateConfigValue, type ConfigValueSchema } from './config-value-schema.js';
import { ZooLeaders } from './zoo-leaders.js';
import { ZooLocks } from './zoo-locks.js';

/** One `@ZooConfig` property of a class. */
export interface ConfigBinding {
  key: string;
  property: string | symbol;
  /** The class, for messages. */
  owner: string;
  schema?: ConfigValueSchema;
}

interface TypedState {
  raw: string | undefined;
  hasGood: boolean;
  good?: unknown;
}

/**
 * What Zoo's decorators need at run time, injected into each instance that uses them (see
 * `bindToZoo`): the lock factory, the elections and the live configuration, with the last good
 * value of each typed (`schema`) property.
 */
@Injectable()
export class ZooDecoratorContext implements OnModuleDestroy {
  private readonly logger = new Logger('ZooConfig');
  private readonly typed = new Map<ConfigBinding, TypedState>();
  // a rejected value is reported when it arrives, not only when something reads it
  private readonly onChange = (diff: ConfigDiff) => {
    const keys = new Set([...diff.changed, ...diff.added, ...diff.removed]);
    for (const binding of this.typed.keys()) if (keys.has(binding.key)) this.evaluate(binding);
  };

  constructor(
    readonly locks: ZooLocks,
    readonly leaders: ZooLeaders,
    @Optional() @Inject(ConfigManager) readonly config: ConfigManager | null,
  ) {
    config?.on('change', this.onChange);
  }

  onModuleDestroy(): void {
    this.config?.off('change', this.onChange);
  }

  /**
   * The live value of a `@ZooConfig` property: `fallback` (its initializer) while the key is
   * absent; with a schema, the converted value, or the last good one while the current value is
   * invalid.
   */
  read(binding: ConfigBinding, fallback: unknown): unknown {
    if (!binding.schema) return this.config?.get(binding.key) ?? fallback;
    const state = this.evaluate(binding);
    return state.hasGood ? state.good : fallback;
  }

  private evaluate(binding: ConfigBinding): TypedState {
    const raw = this.config?.get(binding.key);
    const previous = this.typed.get(binding);
    if (previous && previous.raw === raw) return previous;
    let state: TypedState;
    if (raw === undefined) state = { raw, hasGood: false };
    else {
      const result = validateConfigValue(binding.schema!, raw);
      if (result.ok) state = { raw, hasGood: true, good: result.value };
      else {
        state = { raw, hasGood: previous?.hasGood ?? false, good: previous?.good };
        const kept = state.hasGood ? `keeping ${JSON.stringify(state.good)}` : 'keeping the default';
        this.logger.warn(`${binding.owner}.${String(binding.property)}: config value ${binding.key}=${JSON.stringify(raw)} rejected (${result.message}); ${kept}`);
      }
    }
    this.typed.set(binding, state);
    return state;
  }
}
