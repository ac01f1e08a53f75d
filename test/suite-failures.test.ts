import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { playwrightFailures, vitestFailures } from './suite-failures.ts';

// The real runners' JSON reporters on a small suite with one failing test each: the lister
// must name it from what they write, not from a report shaped by hand. The suites live under
// the project's var/ so that `vitest` and `@playwright/test` resolve from its node_modules.
const projectDir = join(import.meta.dirname, '..');
const bin = (name: string) => join(projectDir, 'node_modules/.bin', name);
const run = promisify(execFile);
let dir: string;

// A suite for each runner with one failing test, and their own configurations: without, each
// runner would find the project's from the folder above.
const suiteFiles: Record<string, string[]> = {
  'package.json': ['{ "type": "module" }'],
  'vitest.config.ts': ["export default { test: { include: ['*.test.ts'] } };"],
  'playwright.config.ts': ["export default { testDir: '.', testMatch: '*.spec.ts' };"],
  'pair.test.ts': [
    "import { expect, it } from 'vitest';",
    "it('adds', () => expect(1 + 1).toBe(2));",
    "it('counts the loop devices', () => expect(3).toBe(4));",
  ],
  'pair.spec.ts': [
    "import { expect, test } from '@playwright/test';",
    "test('opens', () => expect(true).toBe(true));",
    "test('mounts the volume', () => expect('busy').toBe('free'));",
  ],
};

beforeAll(async () => {
  await mkdir(join(projectDir, 'var'), { recursive: true });
  dir = await mkdtemp(join(projectDir, 'var/suite-failures-'));
  for (const [name, lines] of Object.entries(suiteFiles)) await writeFile(join(dir, name), `${lines.join('\n')}\n`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Runs a command expected to fail (its suite has a failing test); returns nothing either way.
async function runFailing(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<void> {
  await run(command, args, { cwd: dir, env: { ...process.env, ...env } }).then(
    () => expect.unreachable(`${command} passed a suite with a failing test`),
    () => undefined,
  );
}

it("names vitest's failed test with its file and the first line of its error", async () => {
  const json = join(dir, 'vitest.json');
  await runFailing(bin('vitest'), [
    'run',
    '-c',
    join(dir, 'vitest.config.ts'),
    '--root',
    dir,
    '--reporter=json',
    `--outputFile.json=${json}`,
  ]);
  const lines = vitestFailures(JSON.parse(await readFile(json, 'utf8')), dir);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^pair\.test\.ts › counts the loop devices: .*expected 3 to be 4/);
});

it("names Playwright's failed test with its file, line and the first line of its error", async () => {
  const json = join(dir, 'playwright.json');
  await runFailing(bin('playwright'), ['test', '-c', join(dir, 'playwright.config.ts'), '--reporter=json'], {
    PLAYWRIGHT_JSON_OUTPUT_NAME: json,
  });
  const lines = playwrightFailures(JSON.parse(await readFile(json, 'utf8')));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^pair\.spec\.ts:3 › mounts the volume: .*toBe/);
  expect(lines[0]).not.toContain('\n');
});
