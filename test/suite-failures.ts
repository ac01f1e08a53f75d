// Names each failed test of vitest's and Playwright's JSON reports in one line, with the first
// line of its error: CI keeps only the tail of a run, and a failure seen only as a count there
// cannot be told from another (a flaky test went unnamed over two runs that way).
import { stripVTControlCharacters } from 'node:util';

/** The part of vitest's JSON report that names failures. */
export interface VitestFailureReport {
  testResults?: {
    name: string;
    status?: string;
    message?: string;
    assertionResults?: { fullName?: string; title?: string; status: string; failureMessages?: string[] }[];
  }[];
}

/** The part of Playwright's JSON report that names failures (suites nest). */
export interface PlaywrightSuite {
  title?: string;
  file?: string;
  specs?: {
    title: string;
    file?: string;
    line?: number;
    tests?: { status?: string; results?: { status?: string; error?: { message?: string } }[] }[];
  }[];
  suites?: PlaywrightSuite[];
}
export interface PlaywrightFailureReport {
  suites?: PlaywrightSuite[];
}

const maxErrorLength = 300;

// ANSI colours and the error's later lines are left out: one line per failure.
function firstLine(text: string | undefined): string {
  const line =
    stripVTControlCharacters(text ?? '')
      .trim()
      .split('\n')[0] ?? '';
  return line.length > maxErrorLength ? `${line.slice(0, maxErrorLength)}…` : line;
}

function relative(path: string, projectDir: string): string {
  return path.startsWith(`${projectDir}/`) ? path.slice(projectDir.length + 1) : path;
}

/** One line per failed vitest test, and per file that failed without a test (a crash in a hook). */
export function vitestFailures(report: VitestFailureReport | null, projectDir: string): string[] {
  const lines: string[] = [];
  for (const file of report?.testResults ?? []) {
    const name = relative(file.name, projectDir);
    const failed = (file.assertionResults ?? []).filter((test) => test.status === 'failed');
    for (const test of failed) {
      lines.push(`${name} › ${test.fullName ?? test.title}: ${firstLine(test.failureMessages?.[0])}`);
    }
    if (failed.length === 0 && file.status === 'failed') lines.push(`${name}: ${firstLine(file.message)}`);
  }
  return lines;
}

/** One line per Playwright test whose outcome was unexpected (failed in every retry). */
export function playwrightFailures(report: PlaywrightFailureReport | null): string[] {
  const lines: string[] = [];
  const visit = (suite: PlaywrightSuite) => {
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests ?? []) {
        if (test.status !== 'unexpected') continue;
        const error = test.results?.find((result) => result.error)?.error?.message;
        lines.push(`${spec.file ?? suite.file}:${spec.line} › ${spec.title}: ${firstLine(error)}`);
      }
    }
    for (const child of suite.suites ?? []) visit(child);
  };
  for (const suite of report?.suites ?? []) visit(suite);
  return lines;
}
