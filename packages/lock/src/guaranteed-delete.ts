import { ZooError, ZooErrorCode } from '@zoo/core';
import { isRetryable, type ZooClient } from '@zoo/client';

/**
 * Curator's `delete().guaranteed()`: deletes `path`, retrying through connection loss for as
 * long as the session lives. It resolves once the node is gone — deleted, already missing, or
 * taken with the session (an ephemeral node cannot outlive its session, so an expired or
 * closed client means the job is done). Other errors (NOAUTH, NOTEMPTY, BADVERSION) reject.
 */
export async function guaranteedDelete(client: ZooClient, path: string, version = -1): Promise<void> {
  for (;;) {
    if (client.state === 'expired' || client.state === 'closed') return;
    try {
      await client.delete(path, version);
      return;
    } catch (err) {
      if (err instanceof ZooError && (err.code === ZooErrorCode.NONODE || err.code === ZooErrorCode.SESSIONEXPIRED)) return;
      if (!isRetryable(err)) throw err;
      await reconnected(client);
    }
  }
}

/** Resolves when the client is connected again or its session has ended. */
function reconnected(client: ZooClient): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (client.state === 'disconnected' || client.state === 'connecting') return;
      client.off('state', check);
      clearTimeout(timer);
      resolve();
    };
    // connected but the request still failed (a server-side timeout): try again shortly
    const timer = setTimeout(check, 100);
    client.on('state', check);
  });
}
