export { ConfigManager, type ConfigManagerOptions, type ConfigDiff, type Schema } from './config-manager.js';
export { ConfigWriter } from './config-writer.js';
export { contextPaths, type ContextOptions } from './contexts.js';
export { flatten, unflatten, parseConfig, formatConfig, type FlatConfig, type ConfigFormat } from './formats.js';
