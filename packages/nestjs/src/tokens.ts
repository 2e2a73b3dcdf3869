import { Inject } from '@nestjs/common';

/** Injection token of the current ZooClient (prefer ZooSession: it outlives session expiry). */
export const ZOO_CLIENT = Symbol('ZOO_CLIENT');
/** Instance slots the explorer fills on providers and controllers that use Zoo's decorators. */
export const ZOO_LOCKS_SLOT = Symbol('zoo.locks');
export const ZOO_LEADERS_SLOT = Symbol('zoo.leaders');
export const ZOO_CONFIG_SLOT = Symbol('zoo.config');
/** Class metadata: which Zoo features a class uses. */
export const ZOO_AWARE = 'zoo:aware';
export const ZOO_LEADER_PATHS = 'zoo:leader-paths';

export const InjectZooClient = (): ParameterDecorator & PropertyDecorator => Inject(ZOO_CLIENT);
