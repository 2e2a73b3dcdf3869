import { Command } from 'commander';
// bundled by tsup: the version the package was built with, whatever the install layout
import { version } from '../package.json';
import { connect, type GlobalOptions } from './connect.js';
import { configCommands } from './commands/config.js';
import { groupCommands } from './commands/group.js';
import { lockCommands } from './commands/locks.js';
import { serverCommand } from './commands/server.js';
import { serviceCommands } from './commands/services.js';
import { treeCommands, type Runner } from './commands/tree.js';
import { makeOutput, reportError } from './output.js';

let exitCode = 0;

const program = new Command('zoo')
  .description('Zoo: a ZooKeeper-compatible coordination service — tree, services, locks, config, groups')
  .version(version, '-V, --version', 'print the version of @zoo/cli')
  .option('--server <hosts>', 'host:port[,host:port][/chroot]', process.env.ZOO_SERVER ?? '127.0.0.1:2181')
  .option('--auth <user:password>', 'digest credentials')
  .option('--json', 'one JSON document on stdout')
  .option('--timeout <ms>', 'connect timeout', Number)
  .showHelpAfterError();

/** Connects with the global options, runs one command, and always closes the session. */
const runner: Runner = async (cmd, run) => {
  const options = cmd.optsWithGlobals<GlobalOptions>();
  const out = makeOutput(!!options.json);
  let client;
  try {
    client = await connect(options);
    await run(client, out);
  } catch (err) {
    exitCode = reportError(err);
  } finally {
    await client?.close();
  }
};

treeCommands(program, runner);
serviceCommands(program, runner);
lockCommands(program, runner, (code) => (exitCode = code));
configCommands(program, runner);
groupCommands(program, runner);
serverCommand(program);

await program.parseAsync(process.argv);
process.exit(exitCode);
