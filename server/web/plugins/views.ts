import fp from 'fastify-plugin';
import view from '@fastify/view';
import nunjucks from 'nunjucks';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../config/config-error.ts';
import { projectDir } from '../../project-dir.ts';
import { formatBytes } from '../../../common/format-bytes.ts';
import { describeMembership } from '../../core/accounts/membership-words.ts';
import { getShadowDay, isAccountExpired } from '../../core/auth/get-login-refusal.ts';

// The esbuild output: hashed bundles and manifest.json mapping `main.js` to `main-HASH.js`.
export const bundleDir = join(projectDir, 'dist/web');

function readManifest(): Record<string, string> {
  try {
    return JSON.parse(readFileSync(join(bundleDir, 'manifest.json'), 'utf8')) as Record<string, string>;
  } catch (error) {
    throw new ConfigError(
      `${bundleDir}/manifest.json: the browser bundle is missing; run "npm run build" (${(error as NodeJS.ErrnoException).code ?? error})`,
    );
  }
}

const dateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

// Nunjucks templates from views/, autoescaped, with `asset(name)` for hashed bundle URLs
// and a few formatting filters. `app.view()` renders partials for pushes.
export default fp(
  async (app) => {
    const manifest = readManifest();
    // No `reply.locals` (nothing here uses them): declared before @fastify/view, which then
    // adds no onRequest hook making an empty object for every request.
    app.decorateReply('locals', null);
    await app.register(view, {
      engine: { nunjucks },
      root: join(projectDir, 'views'),
      options: {
        autoescape: true,
        throwOnUndefined: false,
        onConfigure(env: nunjucks.Environment) {
          env.addGlobal('asset', (name: string) => `/static/${manifest[name] ?? name}`);
          // Whether the top bar shows Terminal: the terminals' rule, read at each render.
          env.addGlobal(
            'mayOpenTerminal',
            (login: string) => app.hasDecorator('terminals') && app.terminals.getRefusal(login) === null,
          );
          // An account's group with its role, in the core's words ("responsible of accounting").
          env.addFilter('membership', describeMembership);
          // Whether an account's expiry date has come (it may no longer log in).
          env.addGlobal('isExpired', (account: { expiry: number | null }) =>
            isAccountExpired(account.expiry, getShadowDay()),
          );
          env.addFilter('bytes', (value: number) => formatBytes(value));
          env.addFilter('duration', (seconds: number) => formatDuration(seconds));
          env.addFilter('datetime', (value: Date | number) => dateTime.format(value));
          env.addFilter('isodate', (value: Date | number) => new Date(value).toISOString());
          // shadow(5) counts days since 1970-01-01.
          env.addFilter('shadowdate', (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10));
        },
      },
    });
  },
  { name: 'licorn-views' },
);

// 3 days 4 h 05 min: an uptime as an admin reads it.
export function formatDuration(seconds: number): string {
  const days = Math.floor(seconds / 86400);
  const hours = Math.floor((seconds % 86400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const clock = `${hours} h ${String(minutes).padStart(2, '0')} min`;
  return days > 0 ? `${days} day${days > 1 ? 's' : ''} ${clock}` : clock;
}
