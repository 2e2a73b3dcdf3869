import { connect } from 'node:net';
import { ZooError, ZooErrorCode } from '@zoo/core';
import type { ZooClient } from '@zoo/client';
import { fromCuratorJson, type ServiceInstance } from '@zoo/discovery';
import { HttpError } from './http-util.js';

/** An instance as the services panel shows it. */
export interface InstanceView extends ServiceInstance {
  path: string;
  /** `up` when its address:port accepts a TCP connection, `unreachable` when not, `unknown` without a port. */
  health: 'up' | 'unreachable' | 'unknown';
  /** The session that owns its node (0x0 for a persistent instance). */
  session: string;
}

/** Does host:port accept a TCP connection within `timeoutMs`? */
export function probe(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('connect', () => done(true));
    socket.on('error', () => done(false));
  });
}

/** The instances of one service read now, with their owning session and (unless told not to) a health probe. */
export async function readInstances(client: ZooClient, servicePath: string, probeHealth = true): Promise<InstanceView[]> {
  let ids: string[];
  try {
    ids = (await client.getChildren(servicePath)).children.sort();
  } catch (err) {
    if (err instanceof ZooError && err.code === ZooErrorCode.NONODE) return [];
    throw err;
  }
  const views = await Promise.all(
    ids.map(async (id): Promise<InstanceView | undefined> => {
      const path = `${servicePath}/${id}`;
      try {
        const { data, stat } = await client.getData(path);
        const instance = fromCuratorJson(data, path);
        const health = probeHealth && instance.port ? ((await probe(instance.address || '127.0.0.1', instance.port)) ? 'up' : 'unreachable') : 'unknown';
        return { ...instance, path, health, session: `0x${BigInt.asUintN(64, stat.ephemeralOwner).toString(16)}` };
      } catch {
        return undefined;
      }
    }),
  );
  return views.filter((v): v is InstanceView => v !== undefined);
}

/**
 * Sets the `enabled` field of an instance's document (drain: false; back in rotation: true),
 * keeping every other byte of the JSON as its owner wrote it, with a version check so a
 * concurrent update by the owner is never overwritten (re-read and retried instead).
 */
export async function setInstanceEnabled(client: ZooClient, path: string, enabled: boolean): Promise<ServiceInstance> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const { data, stat } = await client.getData(path);
    const instance = fromCuratorJson(data, path);
    if (instance.enabled === enabled) return instance;
    const doc = JSON.parse(data!.toString('utf8')) as Record<string, unknown>;
    doc.enabled = enabled;
    try {
      await client.setData(path, Buffer.from(JSON.stringify(doc)), stat.version);
      return { ...instance, enabled };
    } catch (err) {
      if (!(err instanceof ZooError && err.code === ZooErrorCode.BADVERSION)) throw err;
    }
  }
  throw new HttpError(409, `${path} kept changing; try again`);
}
