import fp from 'fastify-plugin';
import { TerminalManager } from '../../core/terminal/terminal-manager.ts';

// Account events after which an account's right to a terminal may differ.
const accountEvents = [
  'account-changed',
  'account-removed',
  'group-changed',
  'group-members-changed',
  'group-removed',
] as const;

// The terminals (`app.terminals`): a session's die with it (logout, timeout, lock, new
// password: `session-closed`), and an account's die as soon as the files no longer give it a
// terminal (demoted: `session-changed`; shell set to nologin, locked, deleted: account events).
export default fp(
  async (app) => {
    const { config, core } = app;
    const terminals = new TerminalManager({
      ...config.terminal,
      isRealMachine: config.isRealMachine,
      auth: core.auth,
      audit: core.audit,
    });
    app.decorate('terminals', terminals);
    const logFailure = (error: unknown) => app.log.error({ err: error }, 'killing terminals failed');
    const stops = [
      core.events.on('session-closed', ({ data }) => {
        terminals.killSession(data.sessionId, `session-${data.reason}`).catch(logFailure);
      }),
      core.events.on('session-changed', () => terminals.checkAll().catch(logFailure)),
      ...accountEvents.map((name) => core.events.on(name, () => terminals.checkAll().catch(logFailure))),
    ];
    app.addHook('preClose', async () => {
      stops.forEach((stop) => stop());
      await terminals.close();
    });
  },
  { name: 'licorn-terminals', dependencies: ['licorn-core', 'licorn-sessions'] },
);
