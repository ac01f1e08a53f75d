import fp from 'fastify-plugin';
import { createCore } from '../../core/core.ts';

// Starts the core for the configured root, decorates `app.core`, closes it on shutdown.
export default fp(
  async (app) => {
    const { config } = app;
    const core = await createCore({
      root: config.root,
      isRealMachine: config.isRealMachine,
      pamService: config.auth.pamService,
      adminGroups: config.auth.adminGroups,
      auditFile: config.auditFile,
      volumes: config.volumes,
      journalSize: config.events.journalSize,
      accountRanges: config.accounts,
      maxShareWatches: config.shares.maxWatches,
      statusHistoryFile: config.statusHistoryFile,
      warn: (message) => app.log.warn(message),
    });
    app.decorate('core', core);
    app.addHook('onClose', () => core.close());
  },
  { name: 'licorn-core' },
);
