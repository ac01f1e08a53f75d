import { stat } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../server/web/app.ts';
import { loadTls } from '../../../server/web/tls/load-tls.ts';
import { createSandbox, type Sandbox } from '../../helpers/sandbox.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await createSandbox();
});
afterAll(async () => {
  await sandbox.remove();
});

const startApp = async () => {
  const app = await buildApp(sandbox.config, { tls: await loadTls(sandbox.config.tls) });
  await app.ready();
  return app;
};

describe('the status history across a restart', () => {
  it('is saved when the daemon stops and read back when it starts', async () => {
    const first = await startApp();
    await new Promise<void>((resolve) => {
      let seen = 0;
      const stop = first.core.status.listen(() => {
        seen += 1;
        if (seen === 2) {
          stop();
          resolve();
        }
      });
    });
    const times = first.core.status.getHistory('10m').map((sample) => sample.time);
    expect(times).toHaveLength(2);
    await first.close();
    expect((await stat(sandbox.config.statusHistoryFile)).mode & 0o777).toBe(0o600);

    const second = await startApp();
    try {
      expect(second.core.status.getHistory('10m').map((sample) => sample.time)).toEqual(times);
      expect(second.core.status.isSampling).toBe(false);
    } finally {
      await second.close();
    }
  });
});
