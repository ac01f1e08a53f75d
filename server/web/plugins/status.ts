import fp from 'fastify-plugin';
import { StatusMonitor } from '../../core/status/status-monitor.ts';
import { createSamplers } from '../../core/status/create-samplers.ts';
import { readHistoryFile, writeHistoryFile } from '../../core/status/history-file.ts';

// How often a history that moved is saved while the daemon runs (it is saved at exit too).
const saveEveryMs = 10 * 60_000;

// The status monitor (`app.status`): the machine's samplers and the daemon's own, fed with
// the web layer's figures (sessions, sockets, requests) and the core's events. Its history
// is read from config.statusHistoryFile at start and saved there.
export default fp(
  async (app) => {
    let requests = 0;
    let events = 0;
    app.addHook('onRequest', (_request, _reply, done) => {
      requests += 1;
      done();
    });
    const stopCounting = app.core.events.onAny(() => {
      events += 1;
    });
    const monitor = new StatusMonitor(
      createSamplers(
        {
          sessions: () => app.sessions.list().length,
          sockets: () => app.hub.clientCount,
          requests: () => requests,
          events: () => events,
          pushRefusals: () => app.hub.refusals.getTotal(),
        },
        app.core.shares,
      ),
    );
    app.decorate('status', monitor);

    const path = app.config.statusHistoryFile;
    const saved = await readHistoryFile(path, (message) => app.log.warn(message));
    if (saved) monitor.restoreHistory(saved);
    let savedRevision = monitor.revision;
    // Saves run one after the other, and the last one is awaited at exit.
    let saving = Promise.resolve();
    const save = () => {
      saving = saving.then(async () => {
        if (monitor.revision === savedRevision) return;
        savedRevision = monitor.revision;
        await writeHistoryFile(path, monitor.exportHistory()).catch((error: Error) =>
          app.log.warn(`status history ${path}: ${error.message}`),
        );
      });
      return saving;
    };
    const timer = setInterval(() => void save(), saveEveryMs).unref();

    app.addHook('onClose', async () => {
      clearInterval(timer);
      monitor.close();
      stopCounting();
      await save();
    });
  },
  { name: 'licorn-status', dependencies: ['licorn-core', 'licorn-sessions'] },
);
