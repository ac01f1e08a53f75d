import type { FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import view from '@fastify/view';
import nunjucks from 'nunjucks';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../config/config-error.ts';
import { projectDir } from '../../project-dir.ts';
import type { Membership } from '../../core/accounts/account-schema.ts';
import type { GroupRole } from '../../core/accounts/group-schema.ts';
import { getShadowDay, isAccountExpired } from '../../core/auth/get-login-refusal.ts';
import { type CoreMessage, renderMessage } from '../../core/messages.ts';
import { escapePageText, getRenderLocale, type RenderContext, translatePage } from '../i18n/page-text.ts';
import {
  formatDateTime,
  formatDuration,
  formatMembership,
  formatNumber,
  formatPageBytes,
  formatRole,
} from '../i18n/page-formats.ts';

// The esbuild output: hashed bundles and manifest.json mapping `main.js` to `main-HASH.js`.
export const bundleDir = join(projectDir, 'dist/web');

function readManifest(): Record<string, string> {
  try {
    return JSON.parse(readFileSync(join(bundleDir, 'manifest.json'), 'utf8')) as Record<string, string>;
  } catch (error) {
    throw new ConfigError(
      `${bundleDir}/manifest.json: the browser bundle is missing; ` +
        `run "npm run build" (${(error as NodeJS.ErrnoException).code ?? error})`,
    );
  }
}

// A filter's text in the render's language, escaped (and Latin-1: page-text.ts) and marked safe.
type Format<T> = (locale: ReturnType<typeof getRenderLocale>, value: T) => string;
const localized = <T>(format: Format<T>) =>
  function (this: RenderContext, value: T) {
    return new nunjucks.runtime.SafeString(escapePageText(format(getRenderLocale(this), value)));
  };

// Nunjucks templates from views/, autoescaped, with `asset(name)` for hashed bundle URLs,
// `t(key, options)` for the words of the render's language (the `pages` catalogue) and
// formatting filters in that language. The language is the data's `locale`: every page gets
// the request's (a lazy reply.locals, read only when a template asks), a push partial the one
// its followers read (push-hub.ts). `app.view()` renders partials for pushes.
export default fp(
  async (app) => {
    const manifest = readManifest();
    // `reply.locals` is a getter (declared before @fastify/view, which then adds no onRequest
    // hook making an object for every request): read only by reply.view, it gives the page's
    // data the request's language, worked out when a template reads it (Object.assign calls the
    // getter), so an API call or a redirect never parses Accept-Language nor runs a hook. A
    // per-request hook writing into a null `locals` answered every request 500 (red team F5).
    app.decorateReply('locals', {
      getter(this: FastifyReply) {
        const { request } = this;
        return {
          get locale() {
            return request.locale;
          },
        };
      },
    });
    await app.register(view, {
      engine: { nunjucks },
      root: join(projectDir, 'views'),
      options: {
        autoescape: true,
        throwOnUndefined: false,
        onConfigure(env: nunjucks.Environment) {
          env.addGlobal('t', function (this: RenderContext, key: string, options?: Record<string, unknown>) {
            return new nunjucks.runtime.SafeString(translateWithSafe(getRenderLocale(this), key, options));
          });
          env.addGlobal('asset', (name: string) => `/static/${manifest[name] ?? name}`);
          // Whether the top bar shows Terminal: the terminals' rule, read at each render.
          env.addGlobal(
            'mayOpenTerminal',
            (login: string) => app.hasDecorator('terminals') && app.terminals.getRefusal(login) === null,
          );
          // An account's group with its role, in words ("responsible of accounting").
          env.addFilter('membership', localized<Membership>(formatMembership));
          // A role an account may be given in a group, in words: `{{ group | roleIn(role) }}`.
          env.addFilter('roleIn', function (this: RenderContext, group: string, role: GroupRole) {
            return new nunjucks.runtime.SafeString(escapePageText(formatRole(getRenderLocale(this), group, role)));
          });
          // Whether an account's expiry date has come (it may no longer log in).
          env.addGlobal('isExpired', (account: { expiry: number | null }) =>
            isAccountExpired(account.expiry, getShadowDay()),
          );
          env.addFilter('bytes', localized<number>(formatPageBytes));
          env.addFilter('duration', localized<number>(formatDuration));
          // A Date, a time in ms or an ISO string (the tokens' dates).
          env.addFilter(
            'datetime',
            localized<Date | number | string>((locale, value) => formatDateTime(locale, new Date(value))),
          );
          // A core message (a key and its parameters: a refusal, a plan's warning) in the
          // render's language, as the core's catalogue says it.
          env.addFilter(
            'said',
            localized<CoreMessage>((locale, message) => renderMessage(message, locale)),
          );
          // "10,000" / "10 000": a count as the language writes it.
          env.addFilter('number', localized<number>(formatNumber));
          env.addFilter('isodate', (value: Date | number) => new Date(value).toISOString());
          // shadow(5) counts days since 1970-01-01.
          env.addFilter('shadowdate', (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10));
        },
      },
    });
  },
  { name: 'licorn-views' },
);

// t() whose options may hold what a filter already made safe (`{ size: total | bytes }`):
// each goes in as a placeholder, so it is escaped once, not twice.
function translateWithSafe(
  locale: ReturnType<typeof getRenderLocale>,
  key: string,
  options?: Record<string, unknown>,
): string {
  if (!options) return translatePage(locale, key);
  const safe: string[] = [];
  const plain: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(options)) {
    if (value instanceof nunjucks.runtime.SafeString) {
      plain[name] = `\u0000${safe.length}\u0000`;
      safe.push(value.toString());
    } else plain[name] = value;
  }
  const text = translatePage(locale, key, plain);
  return safe.length === 0 ? text : text.replace(/\u0000(\d+)\u0000/g, (_, index: string) => safe[Number(index)] ?? '');
}
