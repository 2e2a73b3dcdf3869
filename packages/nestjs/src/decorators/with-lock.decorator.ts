import { bindToZoo, contextOf } from './bind-to-zoo.js';
import { wrapMethod } from './wrap-method.js';

/**
 * Runs the method while holding the distributed mutex at `path` (Curator's protocol), so the
 * method never runs in two app instances at once. Keeps other decorators' metadata, in any order.
 */
export function WithLock(path: string, options: { timeoutMs?: number } = {}): MethodDecorator {
  return (target, _key, descriptor: PropertyDescriptor) => {
    bindToZoo(target);
    return wrapMethod(`@WithLock('${path}')`, descriptor, (original) =>
      async function (this: object, ...args: unknown[]) {
        const context = contextOf(this);
        if (!context) throw new Error(`@WithLock('${path}'): ZooModule is not imported where this class lives`);
        return context.locks.mutex(path).withLock(() => original.apply(this, args), { timeoutMs: options.timeoutMs });
      },
    );
  };
}
