import { describe, expect, it } from 'vitest';
import { fourLetterWord, requireZooKeeper, sideBySide } from '../src/index.js';

describe.runIf(requireZooKeeper('side-by-side harness'))('sideBySide', () => {
  it('starts both, and stops both', async () => {
    let closed = 0;
    const pair = sideBySide(async () => ({ name: 'other', close: async () => void closed++ }));
    await pair.start();
    const port = pair.zk().nodes[0].clientPort;
    expect(await fourLetterWord(port, 'ruok')).toBe('imok');
    expect(pair.other().name).toBe('other');
    await pair.stop();
    expect(closed).toBe(1);
    expect(() => pair.zk()).toThrow(/not started/);
    expect(await fourLetterWord(port, 'ruok').catch(() => 'down')).not.toBe('imok');
  }, 60_000);

  it('when the other server fails to start, stops the ZooKeeper it started and throws that error', async () => {
    const pair = sideBySide(async (): Promise<{ close(): Promise<void> }> => {
      throw new Error('port in use');
    });
    await expect(pair.start()).rejects.toThrow('port in use');
    expect(() => pair.zk()).toThrow(/not started/);
  }, 60_000);
});
