import { Command } from 'commander';
import { writeJson } from '../cli-context.ts';
import { runMonitor } from '../render/monitor-screen.ts';
import { getTerminalJson } from '../../core/text/terminal-text.ts';
import { renderStatus, type StatusAnswer } from '../render/status-view.ts';
import type { WithContext } from './get-resources.ts';

// `licorn get status [-m]`: the daemon's figures (uptime, event-loop delay, memory, sessions,
// sockets, watches, requests and events per second) and the machine's, from GET
// /api/v1/status; `-m` redraws them every second, as top does, until q or Ctrl-C.
export function createStatusCommand(withContext: WithContext): Command {
  return new Command('status')
    .description("the daemon's figures and the machine's (-m: live, until q or Ctrl-C)")
    .option('-m, --monitor', 'redraw every second until q or Ctrl-C')
    .option('--json', "print the API's JSON (with -m, one line a second)")
    .action(async (options: { monitor?: boolean; json?: boolean }, command: Command) => {
      const { output, getClient } = withContext(command);
      const client = getClient();
      const host = client.target.kind === 'socket' ? 'this machine' : client.target.url.host;
      const getFrame = async () => {
        const text = await client.getText('GET', '/api/v1/status');
        return options.json
          ? [getTerminalJson(text.trimEnd())]
          : renderStatus(output, JSON.parse(text) as StatusAnswer, host);
      };
      if (!options.monitor) {
        const lines = await getFrame();
        return options.json ? writeJson(output, lines[0]!) : output.write(`${lines.join('\n')}\n`);
      }
      if (options.json) return runMonitor({ ...output, isTerminal: false }, getFrame, { input: process.stdin });
      await runMonitor(output, getFrame);
    });
}
