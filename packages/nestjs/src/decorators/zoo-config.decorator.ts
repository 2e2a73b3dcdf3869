import type { ConfigValueSchema } from '../config-value-schema.js';
import { ZOO_CONFIG_PROPERTIES } from '../tokens.js';
import type { ConfigBinding } from '../zoo-decorator-context.js';
import { assignedValue, bindToZoo, contextOf, rememberAssigned } from './bind-to-zoo.js';

export interface ZooConfigOptions<T = unknown> {
  /**
   * Validates and converts the value (`z.coerce.number()`, any Standard Schema or zod-like
   * `safeParse`). A value it rejects is logged with the reason, and the last good value stays.
   */
  schema?: ConfigValueSchema<T>;
}

/**
 * A property that always reads the live value of a config key (`ZooModule` with `config`).
 * Works with either class-field semantics: Nest binds the property on each instance right after
 * construction, so the value is there before the first request and every read sees the latest
 * configuration. A field initializer (`greeting = 'hello'`) is the value while the key is absent;
 * assigning to the property changes that fallback, never the live value.
 *
 *   @ZooConfig('max.quantity', { schema: z.coerce.number().int().positive() }) maxQuantity = 10;
 */
export function ZooConfig<T = unknown>(key: string, options: ZooConfigOptions<T> = {}): PropertyDecorator {
  if (typeof key !== 'string' || key === '') throw new TypeError(`@ZooConfig(key): the key must be a non-empty string, got ${String(key)}`);
  return (target, property) => {
    bindToZoo(target);
    const type = target.constructor;
    const inherited = (Reflect.getMetadata(ZOO_CONFIG_PROPERTIES, type) as ConfigBinding[] | undefined) ?? [];
    const binding: ConfigBinding = { key, property, owner: type.name, schema: options.schema as ConfigValueSchema | undefined };
    Reflect.defineMetadata(ZOO_CONFIG_PROPERTIES, [...inherited.filter((b) => b.property !== property), binding], type);
    // With assign semantics (useDefineForClassFields off) initializers run through this
    // accessor before Nest binds the instance; the value is kept as the fallback.
    Object.defineProperty(target, property, {
      configurable: true,
      enumerable: true,
      get(this: object) {
        const context = contextOf(this);
        return context ? context.read(binding, assignedValue(this, property)) : assignedValue(this, property);
      },
      set(this: object, value: unknown) {
        rememberAssigned(this, property, value);
      },
    });
  };
}
