import fp from 'fastify-plugin';
import { StatusMonitor } from '../../core/status/status-monitor.ts';
import { createSamplers } from '../../core/status/create-samplers.ts';

// The status monitor (`app.status`): the machine's samplers and the daemon's own, fed with
// the web layer's figures (sessions, sockets, requests) and the core's events.
export default fp(async (app) => {
  let requests = 0;
  let events = 0;
  app.addHook('onRequest', (_request, _reply, done) => {
    requests += 1;
    done();
  });
  const stopCounting = app.core.events.onAny(() => { events += 1; });
  const monitor = new StatusMonitor(createSamplers({
    sessions: () => app.sessions.list().length,
    sockets: () => app.hub.clientCount,
    requests: () => requests,
    events: () => events,
  }));
  app.decorate('status', monitor);
  app.addHook('onClose', async () => {
    monitor.close();
    stopCounting();
  });
}, { name: 'licorn-status', dependencies: ['licorn-core', 'licorn-sessions'] });
