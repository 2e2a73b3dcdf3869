import type { InstanceInput } from './service-instance.js';

/** The payload class Spring Cloud Zookeeper's discovery client deserialises instances into. */
export const SPRING_CLOUD_ZOOKEEPER_INSTANCE = 'org.springframework.cloud.zookeeper.discovery.ZookeeperInstance';

/** Spring's default `spring.cloud.zookeeper.discovery.uri-spec`, `{scheme}://{address}:{port}`, as Curator stores a UriSpec. */
const DEFAULT_URI_SPEC = {
  parts: [
    { value: 'scheme', variable: true },
    { value: '://', variable: false },
    { value: 'address', variable: true },
    { value: ':', variable: false },
    { value: 'port', variable: true },
  ],
};

export interface SpringCloudOptions {
  /** The service name, Spring's `spring.application.name` (the payload's `name`). */
  name: string;
  /** The payload's `id` (Spring puts its application context id there); default the service name. */
  instanceId?: string;
  /** Spring's `spring.cloud.zookeeper.discovery.metadata`; `instance_status` defaults to UP. */
  metadata?: Record<string, string>;
}

/**
 * The parts of an instance a Spring Cloud Zookeeper consumer needs to read it: its
 * ZookeeperInstance payload (`id`, `name`, a string `metadata` map) typed with that class — with
 * the default LinkedHashMap type Curator's serializer throws ClassCastException on the Spring
 * side — and Spring's default UriSpec. Spread into what you register:
 *
 *   registry.register({ name: 'orders', address, port, ...springCloudZookeeper({ name: 'orders', metadata: { zone: 'eu' } }) })
 */
export function springCloudZookeeper(options: SpringCloudOptions): Required<Pick<InstanceInput, 'payload' | 'payloadClass' | 'uriSpec'>> {
  for (const [k, v] of Object.entries(options.metadata ?? {}))
    if (typeof v !== 'string') throw new TypeError(`Spring Cloud Zookeeper metadata must be strings: "${k}" is ${typeof v}`);
  return {
    payloadClass: SPRING_CLOUD_ZOOKEEPER_INSTANCE,
    payload: { id: options.instanceId ?? options.name, name: options.name, metadata: { instance_status: 'UP', ...options.metadata } },
    uriSpec: DEFAULT_URI_SPEC,
  };
}
