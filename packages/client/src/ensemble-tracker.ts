import { EventType } from '@zoo/core';
import { parseConnectionString, type HostPort } from './connection-string.js';
import type { EnsembleConfig } from './ensemble-config.js';
import type { WatchedEvent, WatchListener } from './watch-registry.js';

/** What the tracker uses of its client (a ZooClient, which owns the tracker). */
export interface TrackedClient {
  getConfig(options: { watch: WatchListener }): Promise<Pick<EnsembleConfig, 'connectionString'>>;
  readonly connection: { readonly hosts: readonly HostPort[] };
  updateServerList(connectionString: string): void;
}

/**
 * Curator's EnsembleTracker: keeps a watch on /zookeeper/config and moves the client's host
 * list to the members' client addresses whenever the configuration changes (after a reconfig).
 */
export class EnsembleTracker {
  constructor(private readonly client: TrackedClient) {}

  /** One listener, so a watch set again at each connect never stacks. */
  private readonly onChange = (event: WatchedEvent): void => {
    if (event.type === EventType.NodeDataChanged) this.refresh();
  };

  /** Reads the config (watching it again) and applies it; failures wait for the next connect. */
  refresh(): void {
    this.client.getConfig({ watch: this.onChange }).then(
      (config) => {
        if (!config.connectionString) return; // no member lists a client address
        const key = (hosts: readonly HostPort[]) => hosts.map((h) => `${h.host}:${h.port}`).sort().join(',');
        if (key(parseConnectionString(config.connectionString).hosts) !== key(this.client.connection.hosts)) this.client.updateServerList(config.connectionString);
      },
      () => {},
    );
  }
}
