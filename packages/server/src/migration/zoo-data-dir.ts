import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ZooEngine } from '@zoo/core';
import { openTxnStore } from '../persistence/file-store.js';
import { fileName } from '../persistence/log-format.js';

/** An import never mixes with an existing Zoo history: the target must hold no log or snapshot. */
export async function assertNoZooData(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  const found = (await readdir(dir)).find((name) => /^(log|snapshot)\./.test(name));
  if (found) throw new Error(`${dir} already holds Zoo data (${found}); import into a new or empty directory`);
}

/** Writes the engine's state as the data dir's snapshot (through the store, as a running server would); returns its path. */
export async function writeZooSnapshot(dir: string, engine: ZooEngine): Promise<string> {
  const store = await openTxnStore({ dataDir: dir });
  try {
    const zxid = await store.writeSnapshot(engine);
    return join(dir, fileName('snapshot', zxid));
  } finally {
    await store.close();
  }
}

/** Recovers a (stopped) Zoo data dir into an engine, as the server does at start. */
export async function readZooData(dataDir: string, dataLogDir?: string): Promise<ZooEngine> {
  if (!existsSync(dataDir)) throw new Error(`${dataDir} does not exist`);
  const engine = new ZooEngine();
  const store = await openTxnStore({ dataDir, dataLogDir });
  try {
    await store.recover(engine);
  } finally {
    await store.close();
  }
  return engine;
}
