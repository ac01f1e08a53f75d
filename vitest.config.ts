import { defineConfig } from 'vitest/config';

// Files that must have the machine to themselves: they measure time (a login's refusal
// against another's), and other files' work on the same cores would be noise in it.
const aloneFiles = ['test/real/login-timing.test.ts'];

const timeouts = { testTimeout: 30_000, hookTimeout: 60_000 };

// Unit and integration tests (test/); the browser journeys are Playwright's (e2e/).
// Vitest's default on 2 cores is one worker (cores − 1), and most files spend their time
// waiting on child processes (useradd, licornd, shells, mkfs): two files at a time, each in
// its own process (forks); every file makes its own sandbox, daemon, namespace and loop
// devices. The timing files run after the others, one at a time.
export default defineConfig({
  test: {
    globalSetup: ['test/helpers/global-setup.ts'],
    projects: [
      {
        test: {
          name: 'parallel',
          include: ['test/**/*.test.ts'],
          exclude: aloneFiles,
          pool: 'forks',
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
          ...timeouts,
        },
      },
      {
        test: {
          name: 'alone',
          include: aloneFiles,
          pool: 'forks',
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
          ...timeouts,
        },
      },
    ],
  },
});
