import { EventType, ZooError, ZooErrorCode } from '@zoo/core';
import type { ZooClient } from '@zoo/client';
import { fromCuratorJson, type ServiceInstance } from '@zoo/discovery';
import { GroupPaths } from './group-paths.js';

export type ActivityKind =
  | 'registered'
  | 'deregistered'
  | 'drained'
  | 'enabled'
  | 'instance-updated'
  | 'config-set'
  | 'config-removed'
  | 'member-joined'
  | 'member-changed'
  | 'member-left';

/** Something an operator cares about, told from the watch events under the known layouts. */
export interface ActivityEvent {
  t: number;
  kind: ActivityKind;
  path: string;
  text: string;
}

export interface ActivityOptions {
  /** Curator's service discovery base path; default `/services`. */
  servicesPath?: string;
  /** Spring Cloud Zookeeper's config root; default `/config`. */
  configRoot?: string;
  groups?: GroupPaths;
}

const under = (base: string, path: string): string[] | undefined => {
  const prefix = base === '/' ? '/' : `${base}/`;
  return path.startsWith(prefix) ? path.slice(prefix.length).split('/') : undefined;
};

const describe = (i: ServiceInstance) => `${i.name}/${i.id} at ${i.address}${i.port ? `:${i.port}` : ''}`;

/**
 * Turns the dashboard's persistent recursive watch events into activity: service instances
 * registering, leaving (unregistered or their session gone: the failover case), drained or
 * enabled again; Spring Cloud Zookeeper config keys set or removed; group members joining,
 * changing their payload and leaving. It reads the changed node (a second read, so a value can
 * be newer than the event; a state already told is not told again).
 */
export class ActivityDeriver {
  private readonly servicesPath: string;
  private readonly configRoot: string;
  private readonly known = new Map<string, ServiceInstance>();
  /** The mzxid of each node's state last told: a late read that finds a state already told says nothing again. */
  private readonly told = new Map<string, bigint>();

  constructor(
    private readonly client: () => ZooClient,
    private readonly options: ActivityOptions = {},
  ) {
    this.servicesPath = options.servicesPath ?? '/services';
    this.configRoot = options.configRoot ?? '/config';
  }

  /** Remembers instances already registered, so a later change or leave can say what it was. */
  remember(path: string, instance: ServiceInstance): void {
    this.known.set(path, instance);
  }

  async derive(type: EventType, path: string): Promise<ActivityEvent | undefined> {
    const t = Date.now();
    const service = under(this.servicesPath, path);
    if (service?.length === 2) return this.instanceEvent(t, type, path, service[0], service[1]);
    const config = under(this.configRoot, path);
    if (config && config.length >= 2) {
      const [context, ...key] = config;
      if (type === EventType.NodeDeleted) {
        this.told.delete(path);
        return { t, kind: 'config-removed', path, text: `config ${context}: ${key.join('.')} removed` };
      }
      const value = await this.readNew(path);
      if (value === undefined || value === null) return undefined;
      return { t, kind: 'config-set', path, text: `config ${context}: ${key.join('.')} = ${value.toString('utf8')}` };
    }
    const member = this.options.groups?.memberOf(path);
    if (member) {
      if (type === EventType.NodeCreated) return { t, kind: 'member-joined', path, text: `group ${member.group}: ${member.id} joined` };
      if (type === EventType.NodeDeleted) return { t, kind: 'member-left', path, text: `group ${member.group}: ${member.id} left` };
      if (type === EventType.NodeDataChanged) {
        const payload = await this.readNew(path);
        if (payload === undefined) return undefined;
        return { t, kind: 'member-changed', path, text: `group ${member.group}: ${member.id} payload = ${payload?.toString('utf8') ?? ''}` };
      }
    }
    return undefined;
  }

  private async instanceEvent(t: number, type: EventType, path: string, name: string, id: string): Promise<ActivityEvent | undefined> {
    if (type === EventType.NodeDeleted) {
      const was = this.known.get(path);
      this.known.delete(path);
      this.told.delete(path);
      return { t, kind: 'deregistered', path, text: `deregistered ${was ? describe(was) : `${name}/${id}`}` };
    }
    let instance: ServiceInstance;
    try {
      const data = await this.readNew(path);
      if (data === undefined) return undefined;
      instance = fromCuratorJson(data, path);
    } catch {
      return undefined;
    }
    const before = this.known.get(path);
    this.known.set(path, instance);
    if (type === EventType.NodeCreated || !before) return { t, kind: 'registered', path, text: `registered ${describe(instance)}${instance.enabled ? '' : ' (disabled)'}` };
    if (before.enabled && !instance.enabled) return { t, kind: 'drained', path, text: `drained ${describe(instance)}: out of rotation` };
    if (!before.enabled && instance.enabled) return { t, kind: 'enabled', path, text: `enabled ${describe(instance)}: back in rotation` };
    return { t, kind: 'instance-updated', path, text: `updated ${describe(instance)}` };
  }

  /**
   * The node's data, or undefined when it is already gone or the state read was told already
   * (events come faster than reads: a read after two quick changes sees the second already).
   */
  private async readNew(path: string): Promise<Buffer | null | undefined> {
    try {
      const { data, stat } = await this.client().getData(path);
      if (this.told.get(path) === stat.mzxid) return undefined;
      this.told.set(path, stat.mzxid);
      return data;
    } catch (err) {
      if (err instanceof ZooError && err.code === ZooErrorCode.NONODE) return undefined;
      throw err;
    }
  }
}
