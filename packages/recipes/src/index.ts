// Public surface of @zoo/recipes: one recipe per file, each exported from here (one line per recipe).
export { TreeCache, type ChildData, type TreeCacheEvent, type TreeCacheOptions, type TreeCacheSelector } from './tree-cache.js';
export { NodeCache } from './node-cache.js';
export { PathChildrenCache } from './path-children-cache.js';
export { PersistentNode, type PersistentNodeOptions } from './persistent-node.js';
export { PersistentTtlNode, type PersistentTtlNodeOptions } from './persistent-ttl-node.js';
export { GroupMember, type GroupEvent } from './group-member.js';
export { Party, ShallowParty } from './party.js';
