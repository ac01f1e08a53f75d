import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { getSafeNext } from '../auth/safe-next.ts';
import { getCsrfToken } from '../plugins/csrf.ts';
import { clearSessionCookie, setSessionCookie } from '../plugins/sessions.ts';
import { checkLogin, describeLoginRefusal } from '../auth/check-login.ts';
import changePasswordRoutes, { getChangePasswordUrl } from './change-password.ts';
import type { Locale } from '../../../common/i18n/locales.ts';
import { renderMessage, say } from '../../core/messages.ts';
import { SplitPage } from './split-page.ts';

interface LoginBody {
  login: string;
  password: string;
  next?: string;
  _csrf?: string;
}

const loginBodySchema = {
  type: 'object',
  required: ['login', 'password'],
  additionalProperties: false,
  properties: {
    // No length limits here: an odd login or password takes the refusal path of a wrong one
    // (the body limit bounds them).
    login: { type: 'string' },
    password: { type: 'string' },
    next: { type: 'string', maxLength: 2048 },
    _csrf: { type: 'string', maxLength: 128 },
  },
} as const;

// The one message for every failed login, whatever the reason, in English (tests).
export const loginFailedMessage = renderMessage(say('web.login.failed'), 'en');

// GET/POST /login/ and POST /logout/.
export default async function loginRoutes(app: FastifyInstance): Promise<void> {
  const { sessions: sessionConfig } = app.config;

  const renderForm = (
    request: FastifyRequest,
    reply: FastifyReply,
    data: { next: string; login?: string; error?: string },
  ) =>
    reply.view('login/index.njk', {
      ...data,
      login: data.login?.slice(0, 256),
      csrfToken: getCsrfToken(request, reply),
      me: null,
    });

  // The form as most visitors get it (default `next`, no error) is rendered once per language
  // and split where the CSRF token goes; a request only fills its token in, without a promise
  // when the form is ready. Rendering it through nunjucks each time cost a sixth of the
  // page's keep-alive throughput (bench/README.md, tenth and twelfth sessions).
  const plainForms = new Map<Locale, SplitPage>();
  const rendering = new Map<Locale, Promise<SplitPage>>();
  const tokenSlot = 'csrf-token-slot'.padEnd(43, '_');
  const renderPlainForm = (locale: Locale): Promise<SplitPage> => {
    let form = rendering.get(locale);
    if (!form) {
      form = app.view('login/index.njk', { next: '/', csrfToken: tokenSlot, me: null, locale }).then((html) => {
        const split = new SplitPage(html, tokenSlot);
        plainForms.set(locale, split);
        return split;
      });
      // Rendered again next time rather than the failure kept.
      form.catch(() => rendering.delete(locale));
      rendering.set(locale, form);
    }
    return form;
  };
  const sendPlainForm = (request: FastifyRequest, reply: FastifyReply, form: SplitPage) =>
    reply.type('text/html; charset=utf-8').send(form.fill(getCsrfToken(request, reply)));

  app.get<{ Querystring: { next?: string } }>('/login/', { config: { public: true } }, (request, reply) => {
    const next = getSafeNext(request.query.next);
    if (request.session) {
      reply.redirect(next, 303);
      return;
    }
    // No session: the page's language is Accept-Language's. No `Vary: Accept-Language`: every
    // answer is `Cache-Control: no-store` (plugins/security-headers.ts), which no cache keeps,
    // so none has a key to vary; the other pages, in the account's language, send none either.
    if (next !== '/') return renderForm(request, reply, { next });
    const { locale } = request;
    const form = plainForms.get(locale);
    if (form) {
      sendPlainForm(request, reply, form);
      return;
    }
    return renderPlainForm(locale).then((rendered) => sendPlainForm(request, reply, rendered));
  });

  app.post<{ Body: LoginBody }>(
    '/login/',
    { config: { public: true }, schema: { body: loginBodySchema } },
    async (request, reply) => {
      const started = Date.now();
      const { login, password } = request.body;
      const next = getSafeNext(request.body.next);
      const outcome = await checkLogin(app, request, login, password, started);
      if (!outcome.ok) {
        const { message, retryAfterS } = describeLoginRefusal(outcome);
        const error = renderMessage(message, request.locale);
        if (retryAfterS !== null) reply.header('retry-after', retryAfterS);
        // Stopping: no form to come back to.
        if (outcome.status === 503) return reply.code(503).type('text/plain; charset=utf-8').send(error);
        reply.code(outcome.status);
        return renderForm(request, reply, { next, login, error });
      }
      if (request.session) app.sessions.destroy(request.session.id, 'logout');
      // Until it changes its password, the session reaches the change page and logout only
      // (the flag is in the store file from the start: a restart does not lift it).
      const { mustChangePassword } = outcome;
      const session = app.sessions.create(outcome.account, request.ip, request.headers['user-agent'] ?? '', {
        mustChangePassword,
      });
      request.log.info({ login, address: request.ip, admin: session.isAdmin, mustChangePassword }, 'logged in');
      setSessionCookie(reply, session, sessionConfig.absoluteTimeoutMs);
      return reply.redirect(outcome.mustChangePassword ? getChangePasswordUrl(next) : next, 303);
    },
  );

  await app.register(changePasswordRoutes);

  app.post('/logout/', { config: { public: true } }, async (request, reply) => {
    if (request.session) {
      request.log.info({ login: request.session.login, address: request.ip }, 'logged out');
      app.sessions.destroy(request.session.id, 'logout');
    }
    clearSessionCookie(reply);
    return reply.redirect('/login/', 303);
  });
}
