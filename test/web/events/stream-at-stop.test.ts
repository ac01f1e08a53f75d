import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { createTestApp, openApiSession } from '../../helpers/test-app.ts';
import { testPasswords } from '../../helpers/sandbox.ts';
import { waitUntil } from '../../helpers/wait-until.ts';

it("a live event stream open at the stop gets its last line, the daemon's stop, and its end", async () => {
  const t = await createTestApp();
  try {
    const admin = await openApiSession(t.app, 'admin', testPasswords.admin);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;
    let text = '';
    const ended = new Promise<string>((resolve) => {
      const sent = httpsRequest(
        {
          host: '127.0.0.1',
          port,
          path: '/api/v1/events/stream',
          rejectUnauthorized: false,
          headers: { cookie: admin.cookie },
        },
        (response) => {
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => resolve('end'));
          response.on('aborted', () => resolve('aborted'));
          response.on('error', () => resolve('error'));
        },
      );
      sent.on('error', () => resolve('request error'));
      sent.end();
    });
    await waitUntil(() => t.app.eventStreams.size === 1, 'the stream to open');
    await t.app.close();
    // Its HTTP answer ends whole (the last chunk), not cut by the server's close.
    const how = await ended;
    expect(how).toBe('end');
    expect(text.trim().split('\n').at(-1)).toContain('"end":"stopping"');
  } finally {
    await t.sandbox.remove();
  }
});
