import { defineConfig } from '@playwright/test';
import base from './playwright.config.ts';

// `npm run screenshots`: the README's screenshots (docs/screenshots/), taken from a demo daemon
// like the e2e journeys' (not part of `npm test`: it writes into docs/).
export default defineConfig({ ...base, testMatch: '*.shots.ts' });
