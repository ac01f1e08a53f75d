import fp from 'fastify-plugin';
import { setMaxListeners } from 'node:events';
import type { Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { closeAfterAnswers } from './close-after-answers.ts';

// `app.stopping`: aborted when the app starts to close, so requests that only wait (a
// refused login padded to auth.fail_delay, a held WebSocket refusal) answer at once instead
// of holding the shutdown for up to 2 s; answers in flight then close their connection
// (the local socket's too: LocalServer.stopAccepting).
export default fp(
  async (app) => {
    const controller = new AbortController();
    // Every request that waits listens to it (up to 256 held socket refusals and the padded
    // logins): past Node's 10 it printed a MaxListenersExceededWarning, a leak it is not.
    setMaxListeners(0, controller.signal);
    app.decorate('stopping', controller.signal);
    // The HTTPS port's open connections, so that the stop reaches those with a request in
    // flight (per connection, not per request: keep-alive answers pay nothing).
    const sockets = new Set<Socket>();
    app.server.on('secureConnection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    // The answers first: a request waiting on the signal may answer as it is aborted.
    app.addHook('preClose', async () => {
      closeAfterAnswers(sockets);
      controller.abort();
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
