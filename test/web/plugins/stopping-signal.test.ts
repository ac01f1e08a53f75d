import { afterEach, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { Readable } from 'node:stream';
import { Agent, request } from 'node:https';
import type { IncomingMessage } from 'node:http';
import stoppingSignal, { waitUnlessStopping } from '../../../server/web/plugins/stopping-signal.ts';
import { createSelfSignedCertificate } from '../../../server/web/tls/create-self-signed-certificate.ts';
import { getHttpsOptions } from '../../../server/web/tls/tls-options.ts';

let app: FastifyInstance | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

let arrived: () => void = () => undefined;
let endStream: () => void = () => undefined;

// An HTTPS app with the stopping signal: /wait/ answers once the stop begins, /now/ at once.
async function startApp(): Promise<number> {
  app = Fastify({ https: getHttpsOptions(await createSelfSignedCertificate('localhost')), return503OnClosing: true });
  await app.register(stoppingSignal);
  app.get('/wait/', (_request, reply) => {
    arrived();
    app!.stopping.addEventListener('abort', () => void reply.send('answered'));
  });
  app.get('/now/', async () => 'now');
  // Its head sent at once, its end when the test says (an export still being written).
  app.get('/stream/', (_request, reply) => {
    const body = new Readable({ read() {} });
    body.push('started\n');
    endStream = () => void body.push(null);
    arrived();
    return reply.type('text/plain').send(body);
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return (app.server.address() as { port: number }).port;
}

function get(port: number, path: string, agent: Agent): Promise<IncomingMessage & { body: string }> {
  return new Promise((resolve, reject) => {
    const sent = request({ host: '127.0.0.1', port, path, agent, rejectUnauthorized: false }, (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve(Object.assign(response, { body })));
    });
    sent.on('error', reject).end();
  });
}

describe('the stopping signal', () => {
  it('keeps connections alive until the stop, then closes the one whose answer was in flight', async () => {
    const port = await startApp();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const before = await get(port, '/now/', agent);
    expect(before.headers.connection).toBe('keep-alive');
    const inFlight = new Promise<void>((resolve) => (arrived = resolve));
    const waiting = get(port, '/wait/', agent);
    await inFlight;
    const closing = app!.close();
    const answer = await waiting;
    expect(answer.body).toBe('answered');
    expect(answer.headers.connection).toBe('close');
    // The kept-alive connection does not hold the stop.
    await closing;
    app = null;
    agent.destroy();
  });

  it('closes a connection whose answer had sent its head before the stop, once that answer ends', async () => {
    const port = await startApp();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const inFlight = new Promise<void>((resolve) => (arrived = resolve));
    const streaming = get(port, '/stream/', agent);
    await inFlight;
    const closing = app!.close();
    // The answer ends once the server has closed its idle connections (it stops listening then).
    await new Promise<void>((resolve) => {
      const check = () => (app!.server.listening ? setImmediate(check) : resolve());
      check();
    });
    endStream();
    const answer = await streaming;
    expect(answer.body).toBe('started\n');
    expect(answer.headers.connection).toBe('keep-alive');
    // Yet the daemon closes its connection rather than keep it alive (72 s), holding the stop.
    await closing;
    app = null;
    agent.destroy();
  });
});

describe('waitUnlessStopping', () => {
  it('lets many requests wait at once without a listener-leak warning, and ends them all at the stop', async () => {
    await startApp();
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const waits = Array.from({ length: 300 }, () => waitUnlessStopping(60_000, app!.stopping));
      await new Promise((resolve) => setImmediate(resolve));
      await app!.close();
      app = null;
      expect(await Promise.all(waits)).toEqual(Array(300).fill(false));
      // Node emits the warning on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
