import { Inject, Optional } from '@nestjs/common';
import { ZOO_CONFIG_PROPERTIES, ZOO_CONTEXT_SLOT } from '../tokens.js';
import { ZooDecoratorContext, type ConfigBinding } from '../zoo-decorator-context.js';

const contexts = new WeakMap<object, ZooDecoratorContext>();
/** Values assigned to @ZooConfig properties before the instance was bound (assign-semantics initializers). */
const assigned = new WeakMap<object, Map<string | symbol, unknown>>();

/** The context Nest injected into this instance, if it was created by Nest. */
export function contextOf(instance: object): ZooDecoratorContext | undefined {
  return contexts.get(instance);
}

export function assignedValue(instance: object, property: string | symbol): unknown {
  return assigned.get(instance)?.get(property);
}

export function rememberAssigned(instance: object, property: string | symbol, value: unknown): void {
  let values = assigned.get(instance);
  if (!values) assigned.set(instance, (values = new Map()));
  values.set(property, value);
}

/**
 * Makes Nest hand a ZooDecoratorContext to every instance of the class (property injection runs
 * right after the constructor, for singletons and request-scoped or transient instances alike).
 * The setter then binds the instance: @WithLock / @OnLeader find the context, and each
 * @ZooConfig property becomes an accessor on the instance itself. On the instance, not only on
 * the prototype: with `useDefineForClassFields` (TS target ES2022+, Nest CLI's default) a field
 * declaration defines an own data property that would shadow any prototype accessor.
 */
export function bindToZoo(prototype: object): void {
  if (ZOO_CONTEXT_SLOT in prototype) return; // this class or a base class is bound already
  Object.defineProperty(prototype, ZOO_CONTEXT_SLOT, {
    configurable: true,
    enumerable: false,
    get(this: object) {
      return contexts.get(this);
    },
    set(this: object, context: ZooDecoratorContext) {
      contexts.set(this, context);
      const bindings = (Reflect.getMetadata(ZOO_CONFIG_PROPERTIES, this.constructor) as ConfigBinding[] | undefined) ?? [];
      for (const binding of bindings) bindConfigProperty(this, context, binding);
    },
  });
  Inject(ZooDecoratorContext)(prototype, ZOO_CONTEXT_SLOT);
  // optional, so a class can be tested without ZooModule (initializers are read then, and
  // @WithLock says ZooModule is missing when called)
  Optional()(prototype, ZOO_CONTEXT_SLOT);
}

function bindConfigProperty(instance: object, context: ZooDecoratorContext, binding: ConfigBinding): void {
  const own = Object.getOwnPropertyDescriptor(instance, binding.property);
  // the field's initializer, whichever semantics put it there, is the value while the key is absent
  let fallback = own && 'value' in own ? own.value : assignedValue(instance, binding.property);
  Object.defineProperty(instance, binding.property, {
    configurable: true,
    enumerable: true,
    get: () => context.read(binding, fallback),
    set: (value: unknown) => {
      fallback = value;
    },
  });
  context.read(binding, fallback); // a typed value is validated (and a bad one reported) from the start
}
