import { ZOO_LEADER_PATHS } from '../tokens.js';
import { bindToZoo, contextOf } from './bind-to-zoo.js';
import { wrapMethod } from './wrap-method.js';

/**
 * The method runs only on the elected leader of `path` (a Curator-compatible LeaderLatch the
 * module joins at startup); elsewhere calls return undefined. Meant for scheduled jobs
 * (`@Cron`, in either order). Keeps other decorators' metadata, in any order.
 */
export function OnLeader(path: string): MethodDecorator {
  return (target, _key, descriptor: PropertyDescriptor) => {
    bindToZoo(target);
    const paths: string[] = Reflect.getMetadata(ZOO_LEADER_PATHS, target.constructor) ?? [];
    Reflect.defineMetadata(ZOO_LEADER_PATHS, [...new Set([...paths, path])], target.constructor);
    return wrapMethod(`@OnLeader('${path}')`, descriptor, (original) =>
      async function (this: object, ...args: unknown[]) {
        if (!contextOf(this)?.leaders.isLeader(path)) return undefined;
        return original.apply(this, args);
      },
    );
  };
}
