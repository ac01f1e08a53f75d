import { defineConfig } from 'vitest/config';

// Unit and integration tests (test/); the browser journeys are Playwright's (e2e/).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
