// `npm test`: runs vitest (test/) then Playwright (e2e/), each with a JSON report, and ends
// with one line `N passed, M failed` counting both. Exits non-zero when anything failed or
// when either suite ran nothing.
import { spawn } from 'node:child_process';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type PlaywrightFailureReport,
  playwrightFailures,
  type VitestFailureReport,
  vitestFailures,
} from './suite-failures.ts';

const projectDir = join(import.meta.dirname, '..');
const outDir = join(projectDir, 'test-results');
const bin = (name: string) => join(projectDir, 'node_modules/.bin', name);

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: projectDir, stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function readJson(path: string): Promise<unknown> {
  return JSON.parse(await readFile(path, 'utf8').catch(() => 'null'));
}

interface VitestReport extends VitestFailureReport {
  numPassedTests: number;
  numFailedTests: number;
  numTotalTests: number;
}
interface PlaywrightReport extends PlaywrightFailureReport {
  stats: { expected: number; unexpected: number; flaky: number; skipped: number };
}

await mkdir(outDir, { recursive: true });
const vitestJson = join(outDir, 'vitest.json');
const playwrightJson = join(outDir, 'playwright.json');
await rm(vitestJson, { force: true });
await rm(playwrightJson, { force: true });

// The lint step: the formatter (Biome, 120 columns: `npm run format` fixes) and the type
// checker, run twice: the server's code alone without the DOM's globals, then everything.
// Each counts as one check in the closing line.
const formatCode = await run(bin('biome'), ['format', '.']);
const serverTypeCode = await run(bin('tsc'), ['-p', 'tsconfig.server.json']);
const typeCode = await run(bin('tsc'), ['-p', '.']);
const lintCodes = [formatCode, serverTypeCode, typeCode];
const lintFailed = lintCodes.filter((code) => code !== 0).length;
const lintPassed = lintCodes.length - lintFailed;

const vitestCode = await run(bin('vitest'), [
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${vitestJson}`,
]);
const playwrightCode = await run(bin('playwright'), ['test', '-c', 'e2e/playwright.config.ts'], {
  PLAYWRIGHT_JSON_OUTPUT_NAME: playwrightJson,
});

const vitest = (await readJson(vitestJson)) as VitestReport | null;
const playwright = (await readJson(playwrightJson)) as PlaywrightReport | null;
const vitestPassed = vitest?.numPassedTests ?? 0;
// A crashed runner without a report counts as one failure, so it never looks green.
const vitestFailed = vitest ? vitest.numFailedTests : 1;
const playwrightPassed = playwright ? playwright.stats.expected + playwright.stats.flaky : 0;
const playwrightFailed = playwright ? playwright.stats.unexpected : 1;

const passed = lintPassed + vitestPassed + playwrightPassed;
const failed =
  lintFailed +
  vitestFailed +
  playwrightFailed +
  (vitestCode !== 0 && vitestFailed === 0 ? 1 : 0) +
  (playwrightCode !== 0 && playwrightFailed === 0 ? 1 : 0);
// Named just above the closing line, where CI's kept tail still shows them.
const failures = [...vitestFailures(vitest, projectDir), ...playwrightFailures(playwright)];
if (failures.length > 0) process.stdout.write(`\nfailed:\n${failures.map((line) => `  ${line}\n`).join('')}`);
process.stdout.write(
  `\nlint: ${lintPassed} passed, ${lintFailed} failed; vitest: ${vitestPassed} passed, ${vitestFailed} failed; ` +
    `playwright: ${playwrightPassed} passed, ${playwrightFailed} failed\n`,
);
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failed > 0 || vitestPassed === 0 || playwrightPassed === 0 ? 1 : 0);
