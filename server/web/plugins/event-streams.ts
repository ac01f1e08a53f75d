import fp from 'fastify-plugin';
import { EventStreams } from '../events/event-streams.ts';

// The live event streams of the API (`app.eventStreams`), ended when the app starts closing
// (a stream never ends by itself: the close would wait for its client otherwise).
export default fp(
  async (app) => {
    const streams = new EventStreams(app.core.journal);
    app.decorate('eventStreams', streams);
    app.addHook('preClose', async () => streams.close());
  },
  { name: 'licorn-event-streams', dependencies: ['licorn-core'] },
);
