import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooSession } from '@zoo/client';
import { ZooServer } from '@zoo/server';
import { curatorSideBySide, requireCurator, runJava, runJavaToEnd } from '@zoo/zookeeper';
import { SPRING_CLOUD_ZOOKEEPER_INSTANCE, ServiceDiscovery, ServiceRegistry, springCloudZookeeper } from '../src/index.js';

const fixtures = ['CuratorDiscovery.java', 'SpringCloudDiscovery.java', 'ZookeeperInstance.java'].map((f) => fileURLToPath(new URL(`./fixtures/${f}`, import.meta.url)));
const enabled = requireCurator('Curator discovery interop');

/**
 * Apache Curator's ServiceDiscovery (Debian's libcurator-discovery-java) and Zoo's share one
 * registry, both ways, on a real ZooKeeper and on ZooServer; and so do Spring Cloud Zookeeper
 * services (Curator with ZookeeperInstance payloads, see fixtures/SpringCloudDiscovery.java).
 */
describe.runIf(enabled)('Curator service discovery interop', () => {
  const curator = curatorSideBySide(() => ZooServer.start({ port: 0 }), fixtures);
  beforeAll(curator.start, 90_000);
  afterAll(curator.stop);

  for (const { name: target, connectionString: connection } of curator.targets) {

    it(`a Java service registered through Curator is discoverable by Zoo (${target})`, async () => {
      const java = runJava(curator.classes(), 'CuratorDiscovery', ['register', connection(), '/services', 'inventory', 'java-1', '8123']);
      try {
        await new Promise<void>((resolve, reject) => {
          let out = '';
          java.stdout!.on('data', (d) => {
            out += d;
            if (out.includes('REGISTERED')) resolve();
          });
          java.once('exit', (code) => reject(new Error(`Curator exited early (${code})`)));
        });
        const session = new ZooSession(connection());
        await session.start();
        try {
          const [instance] = await new ServiceDiscovery(session).instances('inventory');
          expect(instance).toMatchObject({ name: 'inventory', id: 'java-1', address: '10.9.8.7', port: 8123, serviceType: 'DYNAMIC', payload: { zone: 'eu', weight: 3 } });
        } finally {
          await session.close();
        }
      } finally {
        java.stdin!.end();
        await new Promise((r) => java.once('exit', r));
      }
    }, 60_000);

    it(`an instance registered by Zoo is readable by Curator's ServiceDiscovery (${target})`, async () => {
      const session = new ZooSession(connection());
      await session.start();
      const registry = new ServiceRegistry(session);
      try {
        await registry.register({ name: 'billing', id: 'zoo-1', address: '10.1.2.3', port: 9000, payload: { zone: 'us', tags: ['v2'], weight: 2, metadata: { version: '2.1' } } });
        await registry.register({ name: 'billing', id: 'zoo-2', address: '10.1.2.4', port: 9001 });
        const out = await runJavaToEnd(curator.classes(), 'CuratorDiscovery', ['query', connection(), '/services', 'billing']);
        const lines = out.trim().split('\n').sort();
        expect(lines).toEqual(['zoo-1|10.1.2.3|9000|{zone=us, tags=[v2], weight=2, metadata={version=2.1}}', 'zoo-2|10.1.2.4|9001|null']);
      } finally {
        await registry.close();
        await session.close();
      }
    }, 60_000);

    it(`a Spring Cloud Zookeeper service is found by Zoo, its payload class and metadata kept (${target})`, async () => {
      const java = runJava(curator.classes(), 'SpringCloudDiscovery', ['register', connection(), '/services', 'payments', 'spring-1', '8443']);
      try {
        await new Promise<void>((resolve, reject) => {
          let out = '';
          java.stdout!.on('data', (d) => {
            out += d;
            if (out.includes('REGISTERED')) resolve();
          });
          java.once('exit', (code) => reject(new Error(`Spring fixture exited early (${code})`)));
        });
        const session = new ZooSession(connection());
        await session.start();
        try {
          const [instance] = await new ServiceDiscovery(session).instances('payments');
          expect(instance).toMatchObject({ name: 'payments', id: 'spring-1', address: '10.9.8.7', port: 8443, payloadClass: SPRING_CLOUD_ZOOKEEPER_INSTANCE, payload: { id: 'payments-context', name: 'payments', metadata: { instance_status: 'UP', zone: 'eu-west-1' } } });
        } finally {
          await session.close();
        }
      } finally {
        java.stdin!.end();
        await new Promise((r) => java.once('exit', r));
      }
    }, 60_000);

    it(`an instance Zoo registers for Spring is read by Spring Cloud Zookeeper's serializer into a ZookeeperInstance (${target})`, async () => {
      const session = new ZooSession(connection());
      await session.start();
      const registry = new ServiceRegistry(session);
      try {
        await registry.register({ name: 'shipping', id: 'zoo-node-1', address: '10.1.2.3', port: 9000, ...springCloudZookeeper({ name: 'shipping', instanceId: 'shipping-9000', metadata: { zone: 'us', version: '3' } }) });
        await registry.register({ name: 'shipping', id: 'zoo-node-2', address: '10.1.2.4', port: 9001, ...springCloudZookeeper({ name: 'shipping' }) });
        const out = await runJavaToEnd(curator.classes(), 'SpringCloudDiscovery', ['query', connection(), '/services', 'shipping']);
        expect(out.trim().split('\n').sort()).toEqual([
          `zoo-node-1|10.1.2.3|9000|${SPRING_CLOUD_ZOOKEEPER_INSTANCE}|shipping-9000|shipping|{instance_status=UP, version=3, zone=us}|http://10.1.2.3:9000`,
          `zoo-node-2|10.1.2.4|9001|${SPRING_CLOUD_ZOOKEEPER_INSTANCE}|shipping|shipping|{instance_status=UP}|http://10.1.2.4:9001`,
        ]);
      } finally {
        await registry.close();
        await session.close();
      }
    }, 60_000);
  }
});
