import { Inject } from '@nestjs/common';

/** Injection token of the current ZooClient (prefer ZooSession: it outlives session expiry). */
export const ZOO_CLIENT = Symbol('ZOO_CLIENT');
/**
 * The property Nest injects (property injection) into every class that uses Zoo's decorators;
 * its setter on the prototype binds the instance, right after construction and in every scope.
 */
export const ZOO_CONTEXT_SLOT = Symbol('zoo.context');
/** Class metadata: the elections of a class's @OnLeader methods, its @ZooConfig properties. */
export const ZOO_LEADER_PATHS = 'zoo:leader-paths';
export const ZOO_CONFIG_PROPERTIES = 'zoo:config-properties';

export const InjectZooClient = (): ParameterDecorator & PropertyDecorator => Inject(ZOO_CLIENT);
