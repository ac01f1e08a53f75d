import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreError } from '../../../server/core/errors.ts';
import { loadTerminalModule } from '../../../server/core/terminal/load-terminal-module.ts';

const importNatively = (url: string): Promise<unknown> => import(/* @vite-ignore */ url);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'licorn-chunk-'));
  await writeFile(join(dir, 'present.mjs'), 'export const word = "here";\n');
  await writeFile(join(dir, 'broken.mjs'), 'export const word = ;\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('loadTerminalModule', () => {
  it("loads the terminal's chunk, and says to restart licornd when a rebuild or an upgrade removed it", async () => {
    const url = (name: string) => pathToFileURL(join(dir, name)).href;
    expect(await loadTerminalModule(() => importNatively(url('present.mjs')))).toMatchObject({ word: 'here' });
    await expect(loadTerminalModule(() => importNatively(url('gone-F4E2RY7X.mjs')))).rejects.toMatchObject({
      code: 'conflict',
      messageKey: 'terminals.upgraded',
      message: expect.stringContaining('restart licornd'),
    });
    // Any other failure is left as it is: an internal error, with its cause in the log.
    const broken = await loadTerminalModule(() => importNatively(url('broken.mjs'))).catch((error: unknown) => error);
    expect(broken).toBeInstanceOf(Error);
    expect(broken).not.toBeInstanceOf(CoreError);
  });
});
