import { Command } from 'commander';
import { UsageError } from '../cli-errors.ts';
import { runInside } from '../inside-client.ts';
import type { WithContext } from './get-resources.ts';

// The machine's inside socket (config `cli.inside_socket`), as licornd serves it for root = "/".
const defaultInsideSocket = '/run/licorn/inside.sock';

// `licorn get inside`: a REPL inside the daemon (`licornd> `, the core in scope) over its inside
// socket, which only root may use (the daemon tells anyone else); the local daemon only.
export function createInsideCommand(withContext: WithContext): Command {
  return new Command('inside')
    .description('a REPL inside the daemon, with the core in scope (root only)')
    .option(
      '--inside-socket <path>',
      `the daemon's inside socket (default: LICORN_INSIDE_SOCKET, else ${defaultInsideSocket})`,
    )
    .action(async (options: { insideSocket?: string }, command: Command) => {
      const { getClient } = withContext(command);
      const { target } = getClient();
      if (target.kind !== 'socket') throw new UsageError('licorn get inside reaches the local daemon only, not --url');
      const socketPath = options.insideSocket ?? process.env.LICORN_INSIDE_SOCKET ?? getInsideSocket(target.socketPath);
      process.exitCode = await runInside(socketPath);
    });
}

// The inside socket beside the API's: `licornd-inside.sock` next to a sandbox's
// `licornd.sock`, `inside.sock` next to the machine's.
function getInsideSocket(socketPath: string): string {
  return socketPath.endsWith('/licornd.sock') && socketPath !== '/run/licorn/licornd.sock'
    ? socketPath.replace(/licornd\.sock$/, 'licornd-inside.sock')
    : defaultInsideSocket;
}
