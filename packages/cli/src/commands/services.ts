import type { Command } from 'commander';
import { ServiceDiscovery, ServiceRegistry, instanceUrl } from '@zoo/discovery';
import { ZooSession } from '@zoo/client';
import { table } from '../output.js';
import type { Runner } from './tree.js';

/** zoo services ls | show <name> | register <name> --port <p>. */
export function serviceCommands(program: Command, runner: Runner): void {
  const services = program.command('services').description('registered services (Curator layout)').option('--base-path <path>', 'discovery base path', '/services');
  const basePath = (cmd: Command) => (cmd.parent?.opts() as { basePath: string }).basePath;

  services
    .command('ls')
    .description('service names and instance counts')
    .action((_o: unknown, cmd: Command) =>
      runner(cmd, async (client, out) => {
        const discovery = new ServiceDiscovery(ZooSession.from(client, ''), { basePath: basePath(cmd) });
        const names = await discovery.names();
        const rows = await Promise.all(names.map(async (name) => ({ name, instances: (await discovery.instances(name)).length })));
        out.data(rows, () => (rows.length ? table([['SERVICE', 'INSTANCES'], ...rows.map((r) => [r.name, String(r.instances)])]) : 'no services'));
      }),
    );

  services
    .command('show <name>')
    .description('instances of a service')
    .action((name: string, _o: unknown, cmd: Command) =>
      runner(cmd, async (client, out) => {
        const instances = await new ServiceDiscovery(ZooSession.from(client, ''), { basePath: basePath(cmd) }).instances(name);
        out.data(instances, () =>
          instances.length
            ? table([['ID', 'URL', 'TYPE', 'REGISTERED', 'PAYLOAD'], ...instances.map((i) => [i.id, instanceUrl(i), i.serviceType, new Date(i.registrationTimeUTC).toISOString(), i.payload ? JSON.stringify(i.payload) : ''])])
            : `no instances of ${name}`,
        );
      }),
    );

  services
    .command('register <name>')
    .description('register an instance until interrupted, then unregister')
    .requiredOption('--port <port>', 'port', Number)
    .option('--address <address>', 'address', '127.0.0.1')
    .option('--id <id>', 'instance id (default: a uuid)')
    .option('--payload <json>', 'payload (JSON object)')
    .action((name: string, o: { port: number; address: string; id?: string; payload?: string }, cmd: Command) =>
      runner(cmd, async (client, out) => {
        const payload = o.payload ? (JSON.parse(o.payload) as Record<string, unknown>) : undefined;
        const registry = new ServiceRegistry(ZooSession.from(client, ''), { basePath: basePath(cmd) });
        const instance = await registry.register({ name, id: o.id, address: o.address, port: o.port, payload });
        out.data(instance, () => `registered ${name}/${instance.id} at ${instanceUrl(instance)}; Ctrl-C to unregister`);
        await new Promise<void>((resolve) => {
          process.once('SIGINT', () => resolve());
          process.once('SIGTERM', () => resolve());
        });
        await registry.close();
      }),
    );
}
