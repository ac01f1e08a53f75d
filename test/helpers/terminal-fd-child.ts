import { Terminal } from '../../server/core/terminal/terminal.ts';
import { say } from '../../server/core/messages.ts';

// Started by terminal-descriptors.test.ts with a pipe as fd 3, not close-on-exec (as a
// launcher may leave one): opens a terminal whose shell lists its descriptors, and prints
// that list on stdout, one a line, then exits.
const script = 'ls -l /proc/$$/fd; echo listed';
let output = '';
const terminal = new Terminal(
  {
    file: '/bin/sh',
    args: ['-c', script],
    env: { PATH: '/usr/bin:/bin', TERM: 'xterm-256color' },
    cwd: '/',
    runsAs: 'test',
    description: say('terminals.loginShell', { login: 'test' }),
    scratchDir: null,
    removeScratch: async () => {},
  },
  {
    id: 'fd-test',
    login: 'test',
    sessionId: 'test',
    cols: 80,
    rows: 24,
    scrollbackBytes: 1024 * 1024,
    keepMs: 10_000,
    onEnd: () => {
      process.stdout.write(output.replace(/\r/g, ''));
      process.exit(0);
    },
  },
);
await terminal.attach({
  send(kind, data, sent) {
    if (kind === 'output') output += Buffer.from(data).toString('utf8');
    sent();
  },
  getBufferedAmount: () => 0,
  end: () => {},
});
