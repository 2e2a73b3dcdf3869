import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Command } from 'commander';
import { ZooSession } from '@zoo/client';
import { ConfigManager, ConfigWriter, formatConfig, type ConfigFormat } from '@zoo/config';
import type { Runner } from './tree.js';

const FORMATS: Record<string, ConfigFormat> = { '.json': 'json', '.yaml': 'yaml', '.yml': 'yaml', '.properties': 'properties', '.env': 'env' };

/** zoo config get | set | import | export (Spring Cloud Zookeeper layout). */
export function configCommands(program: Command, runner: Runner): void {
  const config = program.command('config').description('centralized configuration (Spring Cloud Zookeeper layout)').option('--root <path>', 'config root', '/config');
  const root = (cmd: Command) => (cmd.parent?.opts() as { root: string }).root;
  const context = (cmd: Command, app: string, profile?: string) => `${root(cmd) === '/' ? '' : root(cmd)}/${app}${profile ? `,${profile}` : ''}`;

  config
    .command('get <app>')
    .description('the merged configuration an app sees')
    .option('--profile <profile...>', 'active profiles')
    .action((app: string, o: { profile?: string[] }, cmd: Command) =>
      runner(cmd, async (client, out) => {
        const manager = new ConfigManager(ZooSession.from(client, ''), { app, profiles: o.profile, root: root(cmd) });
        await manager.load();
        const values = manager.all();
        await manager.close();
        out.data(values, () => formatConfig(values, 'properties').trimEnd());
      }),
    );

  config
    .command('set <app> <key> <value>')
    .option('--profile <profile>', 'the profile context to write')
    .action((app: string, key: string, value: string, o: { profile?: string }, cmd: Command) =>
      runner(cmd, async (client, out) => {
        await new ConfigWriter(client).set(context(cmd, app, o.profile), key, value);
        out.data({ context: context(cmd, app, o.profile), key, value }, () => `${key}=${value}`);
      }),
    );

  config
    .command('import <app> <file>')
    .description('replace an app’s context with a file (json, yaml, properties, env), atomically')
    .option('--profile <profile>', 'the profile context to write')
    .option('--format <format>', 'json | yaml | properties | env (default: from the file name)')
    .action((app: string, file: string, o: { profile?: string; format?: ConfigFormat }, cmd: Command) =>
      runner(cmd, async (client, out) => {
        const format = o.format ?? FORMATS[extname(file)];
        if (!format) throw new Error(`cannot tell the format of ${file}: use --format`);
        out.progress(`importing ${file} into ${context(cmd, app, o.profile)}...`);
        // .properties files are ISO-8859-1 (java.util.Properties, Spring Boot); others UTF-8
        const text = await readFile(file, format === 'properties' ? 'latin1' : 'utf8');
        const result = await new ConfigWriter(client).importText(context(cmd, app, o.profile), text, format);
        out.data(result, () => `created ${result.created}, updated ${result.updated}, deleted ${result.deleted}`);
      }),
    );

  config
    .command('export <app>')
    .option('--profile <profile>', 'the profile context to read')
    .option('--format <format>', 'json | yaml | properties | env', 'json')
    .action((app: string, o: { profile?: string; format: ConfigFormat }, cmd: Command) =>
      runner(cmd, async (client, out) => {
        out.print(await new ConfigWriter(client).export(context(cmd, app, o.profile), o.format));
      }),
    );
}
