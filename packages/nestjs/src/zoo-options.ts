import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { ZooClientOptions } from '@zoo/client';
import type { ConfigManagerOptions } from '@zoo/config';
import type { HealthCheck, InstancePayload } from '@zoo/discovery';

export interface ZooModuleOptions {
  connectionString: string;
  clientOptions?: ZooClientOptions;
  /** Service discovery base path (default /services). */
  basePath?: string;
  /** Register this app as an instance of `service.name` once its HTTP server listens. */
  service?: { name: string; id?: string; address?: string; payload?: InstancePayload; healthCheck?: HealthCheck };
  /** Load centralized configuration (Spring Cloud Zookeeper layout) at startup. */
  config?: Omit<ConfigManagerOptions<Record<string, unknown>>, 'schema'> & { schema?: ConfigManagerOptions<Record<string, unknown>>['schema'] };
}

export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } = new ConfigurableModuleBuilder<ZooModuleOptions>({ moduleName: 'Zoo' })
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
