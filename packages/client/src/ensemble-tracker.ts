import { EventType } from '@zoo/core';
import { parseConnectionString, type HostPort } from './connection-string.js';
import type { WatchedEvent } from './watch-registry.js';
import type { ZooClient } from './zoo-client.js';

/**
 * Curator's EnsembleTracker: keeps a watch on /zookeeper/config and moves the client's host
 * list to the members' client addresses whenever the configuration changes (after a reconfig).
 */
export class EnsembleTracker {
  constructor(private readonly client: ZooClient) {}

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
