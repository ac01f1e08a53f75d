import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyInstance {
    // The requests the app has seen (its request ids, server/web/request-ids.ts).
    countRequests: () => number;
  }
}

// Feeds the core's status (`app.core.status`) with the web layer's own figures: open
// sessions and push sockets, requests and push refusals per second.
export default fp(
  async (app) => {
    const { status } = app.core;
    const stops = [
      status.registerFigure('sessions', { kind: 'gauge', read: () => app.sessions.list().length }),
      status.registerFigure('sockets', { kind: 'gauge', read: () => app.hub.clientCount }),
      status.registerFigure('requests', { kind: 'counter', read: () => app.countRequests() }),
      status.registerFigure('pushRefusals', { kind: 'counter', read: () => app.hub.refusals.getTotal() }),
    ];
    app.addHook('onClose', async () => stops.forEach((stop) => stop()));
  },
  { name: 'licorn-status', dependencies: ['licorn-core', 'licorn-sessions', 'licorn-push'] },
);
