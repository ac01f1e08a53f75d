// `licorn`: the command line of licornd, on the same JSON API as the browser (the daemon
// applies the rules, writes the audit and says why it refuses). Bundled into dist/cli/licorn.js
// by server/build.ts and started by bin/licorn.js.
import { Command, CommanderError } from 'commander';
import { projectDir } from '../project-dir.ts';
import { closeClients, createContext } from './cli-context.ts';
import { describeRefusal, exitCodes, RefusedError, UsageError } from './cli-errors.ts';
import { getTerminalText } from '../core/text/terminal-text.ts';
import { createGetResourceCommands, type WithContext } from './commands/get-resources.ts';
import { createGetGroupsCommand } from './commands/get-groups.ts';
import { createAddCommands } from './commands/add-commands.ts';
import { createModCommands } from './commands/mod-commands.ts';
import { createDelCommands } from './commands/del-commands.ts';
import { createStatusCommand } from './commands/status-command.ts';
import { createEventsCommand } from './commands/events-command.ts';
import { createInsideCommand } from './commands/inside-command.ts';

// The whole command tree, each verb with its --help.
// `withContext` gives each verb its client and output (tests may give another).
export function createProgram(withContext: WithContext = (command) => createContext(command, projectDir)): Command {
  const program = new Command('licorn')
    .description("Manage this machine's accounts, groups and volumes through licornd")
    .option('--socket <path>', "licornd's local socket (default: LICORN_SOCKET, else /run/licorn/licornd.sock)")
    .option('--url <https://host:port>', 'a remote licornd (asks a login, or uses LICORN_TOKEN)')
    .option('--ca <file>', "a PEM certificate to trust for --url (a daemon's self-signed one)")
    .showHelpAfterError('(licorn --help lists the verbs)')
    .exitOverride();
  const group = (name: string, description: string, children: Command[]) => {
    const verb = program.command(name).description(description);
    for (const child of children) verb.addCommand(child);
    return verb;
  };
  group('get', 'show accounts, groups, volumes, the status, the events, or a shell in the daemon', [
    ...createGetResourceCommands(withContext),
    createGetGroupsCommand(withContext),
    createStatusCommand(withContext),
    createEventsCommand(withContext),
    createInsideCommand(withContext),
  ]);
  group('add', 'create an account or a group', createAddCommands(withContext));
  group('mod', 'change an account or a group', createModCommands(withContext));
  group('del', 'delete an account or a group', createDelCommands(withContext));
  // Subcommands added with addCommand() do not inherit settings: give each the same.
  const configure = (command: Command, path: string) => {
    command.exitOverride().showHelpAfterError(`(${path} --help says more)`);
    for (const child of command.commands) configure(child, `${path} ${child.name()}`);
  };
  for (const verb of program.commands) configure(verb, `licorn ${verb.name()}`);
  return program;
}

// Runs the command line; its exit status: 0 done, 1 refused by the daemon, 2 not understood.
export async function runLicorn(argv: string[], withContext?: WithContext): Promise<number> {
  // A reader that stops early (`licorn get users --json | head`) is not an error of ours.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(exitCodes.ok);
    throw error;
  });
  try {
    await createProgram(withContext).parseAsync(argv);
    // A verb that runs something else (get inside) sets the status that thing ended with.
    return typeof process.exitCode === 'number' ? process.exitCode : exitCodes.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      const done = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code);
      return done && error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`licorn: ${getTerminalText(error.message, { keepNewlines: true })}\n`);
      return exitCodes.usage;
    }
    if (error instanceof RefusedError) {
      process.stderr.write(`licorn: ${describeRefusal(error)}\n`);
      return exitCodes.refused;
    }
    throw error;
  } finally {
    closeClients();
  }
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`)
  process.exitCode = await runLicorn(process.argv);
