import { CreateMode } from '@zoo/core';
import type { CreateModeName } from './client-options.js';

const MODE_NAMES: Record<CreateModeName, CreateMode> = {
  persistent: CreateMode.PERSISTENT,
  ephemeral: CreateMode.EPHEMERAL,
  persistentSequential: CreateMode.PERSISTENT_SEQUENTIAL,
  ephemeralSequential: CreateMode.EPHEMERAL_SEQUENTIAL,
  container: CreateMode.CONTAINER,
  persistentWithTTL: CreateMode.PERSISTENT_WITH_TTL,
  persistentSequentialWithTTL: CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL,
};

/** A create mode given by name or number; `fallback` when none is given; a TypeError for an unknown name. */
export function toCreateMode(mode: CreateMode | CreateModeName | undefined, fallback: CreateMode): CreateMode {
  if (mode === undefined) return fallback;
  if (typeof mode !== 'string') return mode;
  const known = MODE_NAMES[mode];
  if (known === undefined) throw new TypeError(`unknown create mode "${mode}"`);
  return known;
}

/** Does this mode append a sequence number to the name? */
export function isSequential(mode: CreateMode): boolean {
  return mode === CreateMode.PERSISTENT_SEQUENTIAL || mode === CreateMode.EPHEMERAL_SEQUENTIAL || mode === CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL;
}
