import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';

/** A small Nest app compiled with the Nest CLI's default tsconfig (see fixtures/cli-app). */
export const fixtureDir = fileURLToPath(new URL('./fixtures/cli-app/', import.meta.url));
const root = fileURLToPath(new URL('../../../', import.meta.url));
const packageDist = fileURLToPath(new URL('../dist/index.cjs', import.meta.url));

/**
 * Compiles the fixture with `tsc` (types checked against @zoo/nestjs's built .d.ts) into a
 * temporary directory; returns it. `useDefineForClassFields` overrides the tsconfig's default
 * (on, from target ES2023).
 */
export async function compileFixture(useDefineForClassFields: boolean): Promise<string> {
  if (!existsSync(packageDist)) throw new Error(`${packageDist} is missing: build @zoo/nestjs first (npx nx run @zoo/nestjs:build)`);
  const outDir = mkdtempSync(join(tmpdir(), 'zoo-nest-fixture-'));
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  await promisify(execFile)(process.execPath, [tsc, '-p', join(fixtureDir, 'tsconfig.json'), '--outDir', outDir, '--useDefineForClassFields', String(useDefineForClassFields)], { cwd: fixtureDir }).catch((err: { stdout?: string }) => {
    rmSync(outDir, { recursive: true, force: true });
    throw new Error(`tsc failed on the fixture:\n${err.stdout ?? String(err)}`);
  });
  return outDir;
}

export interface FixtureProcess {
  url: string;
  child: ChildProcess;
  /** SIGTERM; resolves how the process ended (a Nest app with shutdown hooks re-raises the signal once closed). */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs the compiled fixture's main.js in its own Node process; resolves once it listens. */
export async function startFixture(outDir: string, connectionString: string): Promise<FixtureProcess> {
  const child = spawn(process.execPath, [join(outDir, 'main.js')], {
    cwd: outDir,
    // outside the workspace: packages resolve from the workspace's node_modules, @zoo/nestjs to its dist
    env: { ...process.env, NODE_PATH: join(root, 'node_modules'), ZOO_CONNECTION_STRING: connectionString },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (line.startsWith('{"url"')) resolve((JSON.parse(line) as { url: string }).url);
    });
    void exited.then(({ code, signal }) => reject(new Error(`fixture exited (${code ?? signal}) before listening:\n${stderr}`)));
  });
  return {
    url,
    child,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/**
 * The fixture's app module transpiled in this process with the same compiler options (so the
 * vitest suite runs it against the package's sources), with `require` answered from `modules`.
 */
export function transpileFixtureModule(useDefineForClassFields: boolean, modules: Record<string, unknown>): Record<string, unknown> {
  const { config } = ts.readConfigFile(join(fixtureDir, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, fixtureDir);
  const source = readFileSync(join(fixtureDir, 'src/app.module.ts'), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { ...options, module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, useDefineForClassFields },
    fileName: 'app.module.ts',
  });
  const module = { exports: {} as Record<string, unknown> };
  const require = (name: string) => {
    if (!(name in modules)) throw new Error(`the fixture requires ${name}, which the test does not provide`);
    return modules[name];
  };
  new Function('require', 'module', 'exports', outputText)(require, module, module.exports);
  return module.exports;
}
