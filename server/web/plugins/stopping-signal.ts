import fp from 'fastify-plugin';
import { setTimeout as delay } from 'node:timers/promises';

// `app.stopping`: aborted when the app starts to close, so requests that only wait (a
// refused login padded to auth.fail_delay, a held WebSocket refusal) answer at once instead
// of holding the shutdown for up to 2 s; answers sent from then on close their connection.
export default fp(
  async (app) => {
    const controller = new AbortController();
    app.decorate('stopping', controller.signal);
    app.addHook('preClose', async () => controller.abort());
    // Fastify closes the connections idle when the stop begins; one whose request was in
    // flight would stay open after its answer (keep-alive, 72 s) and hold the stop.
    // A callback hook: an async one costs a promise and a microtask turn on every response.
    app.addHook('onSend', (_request, reply, payload, done) => {
      if (controller.signal.aborted) reply.header('connection', 'close');
      done(null, payload);
    });
  },
  { name: 'licorn-stopping-signal' },
);

// Waits `ms`, or less if the app starts to close; says whether the full time passed.
export async function waitUnlessStopping(ms: number, stopping: AbortSignal): Promise<boolean> {
  if (stopping.aborted) return false;
  try {
    await delay(ms, undefined, { signal: stopping });
    return true;
  } catch {
    return false;
  }
}
