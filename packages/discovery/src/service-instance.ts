import { randomUUID } from 'node:crypto';

/** Curator's ServiceType: DYNAMIC instances are ephemeral nodes and vanish with their session. */
export type ServiceType = 'DYNAMIC' | 'STATIC' | 'PERMANENT' | 'DYNAMIC_SEQUENTIAL';

/** What Zoo keeps in an instance's payload (Curator leaves the payload to the application). */
export interface InstancePayload {
  metadata?: Record<string, string>;
  tags?: string[];
  /** For the weighted strategy; default 1. */
  weight?: number;
  zone?: string;
  /** Anything else found in a payload written by someone else. */
  [key: string]: unknown;
}

/** A service instance, with Curator's field names. */
export interface ServiceInstance {
  name: string;
  id: string;
  address: string;
  port?: number;
  sslPort?: number;
  payload: InstancePayload | null;
  registrationTimeUTC: number;
  serviceType: ServiceType;
  /** Curator's UriSpec, kept as found. */
  uriSpec?: unknown;
  enabled: boolean;
  /**
   * The Java class named in the payload's `@class` (Jackson type info): Curator's serializer makes
   * the payload an instance of it. Unset means `java.util.LinkedHashMap`.
   */
  payloadClass?: string;
}

export interface InstanceInput {
  name: string;
  id?: string;
  address: string;
  port?: number;
  sslPort?: number;
  payload?: InstancePayload;
  serviceType?: ServiceType;
  uriSpec?: unknown;
  enabled?: boolean;
  payloadClass?: string;
}

export function makeInstance(input: InstanceInput, now = Date.now()): ServiceInstance {
  if (!input.name || input.name.includes('/') || input.name.includes('\0')) throw new TypeError(`invalid service name "${input.name}"`);
  const id = input.id ?? randomUUID();
  if (id === '' || id.includes('/') || id.includes('\0')) throw new TypeError(`invalid instance id "${id}"`);
  if (input.port !== undefined && !(Number.isInteger(input.port) && input.port >= 0 && input.port <= 65535)) throw new TypeError(`invalid port ${input.port}`);
  return {
    name: input.name,
    id,
    address: input.address,
    port: input.port,
    sslPort: input.sslPort,
    payload: input.payload ?? null,
    registrationTimeUTC: now,
    serviceType: input.serviceType ?? 'DYNAMIC',
    uriSpec: input.uriSpec,
    enabled: input.enabled ?? true,
    ...(input.payloadClass && input.payloadClass !== MAP_CLASS ? { payloadClass: input.payloadClass } : {}),
  };
}

const MAP_CLASS = 'java.util.LinkedHashMap';

/**
 * The JSON Curator's JsonInstanceSerializer reads: its field order, `serviceType` upper-case,
 * and — because ServiceInstance.payload is declared with Jackson's class type info — an object
 * payload whose first key is `"@class"`: `java.util.LinkedHashMap` unless the instance names
 * another class (Spring Cloud Zookeeper's consumers need theirs, see springCloudZookeeper()).
 */
export function toCuratorJson(instance: ServiceInstance): Buffer {
  const payload = instance.payload === null ? null : { '@class': instance.payloadClass ?? MAP_CLASS, ...withoutClass(instance.payload) };
  const doc = {
    name: instance.name,
    id: instance.id,
    address: instance.address,
    port: instance.port ?? null,
    sslPort: instance.sslPort ?? null,
    payload,
    registrationTimeUTC: instance.registrationTimeUTC,
    serviceType: instance.serviceType,
    uriSpec: instance.uriSpec ?? null,
    enabled: instance.enabled,
  };
  return Buffer.from(JSON.stringify(doc));
}

function withoutClass(payload: InstancePayload): Record<string, unknown> {
  const { ['@class']: _ignored, ...rest } = payload;
  void _ignored;
  return rest;
}

/** Reads an instance written by Curator, Spring Cloud Zookeeper or Zoo; throws on garbage. */
export function fromCuratorJson(data: Buffer | null, where: string): ServiceInstance {
  if (!data) throw new Error(`${where}: empty instance node`);
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(data.toString('utf8'));
  } catch (err) {
    throw new Error(`${where}: not JSON (${(err as Error).message})`);
  }
  if (typeof doc !== 'object' || doc === null || typeof doc.name !== 'string' || typeof doc.id !== 'string')
    throw new Error(`${where}: not a service instance (name and id are required)`);
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  const type = String(doc.serviceType ?? 'DYNAMIC').toUpperCase() as ServiceType;
  let payload: InstancePayload | null = null;
  let payloadClass: string | undefined;
  if (doc.payload && typeof doc.payload === 'object') {
    payload = withoutClass(doc.payload as InstancePayload) as InstancePayload;
    const cls = (doc.payload as Record<string, unknown>)['@class'];
    if (typeof cls === 'string' && cls !== MAP_CLASS) payloadClass = cls;
  }
  return {
    name: doc.name,
    id: doc.id,
    address: typeof doc.address === 'string' ? doc.address : '',
    port: num(doc.port),
    sslPort: num(doc.sslPort),
    payload,
    registrationTimeUTC: num(doc.registrationTimeUTC) ?? 0,
    serviceType: type,
    uriSpec: doc.uriSpec ?? undefined,
    enabled: doc.enabled === undefined ? true : doc.enabled !== false,
    ...(payloadClass ? { payloadClass } : {}),
  };
}

/** `http(s)://address:port` of an instance (sslPort preferred when `secure`). */
export function instanceUrl(instance: ServiceInstance, secure = false): string {
  const port = secure ? instance.sslPort : instance.port;
  const host = instance.address.includes(':') ? `[${instance.address}]` : instance.address;
  return `${secure ? 'https' : 'http'}://${host}${port ? `:${port}` : ''}`;
}
