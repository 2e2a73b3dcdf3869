import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JAR_DIR } from './java.js';

/** Debian's Apache Curator 5.4 and what it needs at run time. */
export const CURATOR_JARS = ['curator-client.jar', 'curator-framework.jar', 'curator-recipes.jar', 'curator-x-discovery.jar', 'guava.jar', 'jackson-annotations.jar', 'jackson-core.jar', 'jackson-databind.jar', 'zookeeper.jar', 'zookeeper-jute.jar', 'slf4j-api.jar', 'slf4j-simple.jar'];

export function curatorAvailable(): boolean {
  return existsSync(join(JAR_DIR, 'curator-framework.jar')) && existsSync(join(JAR_DIR, 'curator-x-discovery.jar'));
}

function classpath(jars: string[], extra: string[] = []): string {
  return [...extra, ...jars.map((j) => join(JAR_DIR, j)).filter((j) => existsSync(j))].join(':');
}

/** Compiles Java test fixtures (our own sources) into a temporary class directory. */
export function compileJava(sources: string[], jars: string[] = CURATOR_JARS): string {
  const out = mkdtempSync(join(tmpdir(), 'zoo-java-'));
  execFileSync('javac', ['-nowarn', '-d', out, '-cp', classpath(jars), ...sources], { stdio: ['ignore', 'ignore', 'pipe'] });
  return out;
}

/** Starts a compiled fixture's main class. */
export function runJava(classDir: string, mainClass: string, args: string[], jars: string[] = CURATOR_JARS): ChildProcess {
  return spawn('java', ['-Xmx128m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn', '-cp', classpath(jars, [classDir]), mainClass, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Runs a fixture to completion; resolves with its stdout (rejects with stderr on failure). */
export function runJavaToEnd(classDir: string, mainClass: string, args: string[], jars: string[] = CURATOR_JARS): Promise<string> {
  const child = runJava(classDir, mainClass, args, jars);
  child.stdin!.end();
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${mainClass} exited with ${code}: ${err.slice(-2000)}`)))));
}
