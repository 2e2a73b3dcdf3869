/**
 * Replaces a decorated method by `wrap(original)` and carries over the metadata other decorators
 * already stored on the original function (Nest's route, guards, interceptors, pipes, @Cron...),
 * so the result is the same whichever order the decorators are written in.
 */
export function wrapMethod(
  decorator: string,
  descriptor: PropertyDescriptor,
  wrap: (original: (...args: unknown[]) => unknown) => (...args: unknown[]) => unknown,
): PropertyDescriptor {
  const original = descriptor.value as unknown;
  if (typeof original !== 'function') throw new TypeError(`${decorator} decorates methods only`);
  const wrapped = wrap(original as (...args: unknown[]) => unknown);
  for (const key of Reflect.getOwnMetadataKeys(original)) Reflect.defineMetadata(key, Reflect.getOwnMetadata(key, original), wrapped);
  Object.defineProperty(wrapped, 'name', { value: original.name, configurable: true });
  descriptor.value = wrapped;
  return descriptor;
}
