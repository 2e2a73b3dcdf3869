export { run, runOrThrow, type RunOptions, type RunResult } from './run.js';
export { readmeCodeBlock } from './readme-example.js';
export { publishablePackages, repoRoot, type WorkspacePackage } from './repo.js';
export { packDryRun, packInto, type PackedPackage } from './pack.js';
export { cleanEnv, compile, installConsumerProject } from './consumer-project.js';
