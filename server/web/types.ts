import type { Core } from '../core/core.ts';
import type { LicornConfig } from '../config/load-config.ts';
import type { SessionStore, WebSession } from './sessions/session-store.ts';
import type { PushHub } from './push/push-hub.ts';
import type { AccountList } from './accounts/account-list.ts';
import type { LoginThrottle } from './auth/login-throttle.ts';
import type { TerminalManager } from '../core/terminal/terminal-manager.ts';
import type { EventStreams } from './events/event-streams.ts';

// What the app's plugins add to Fastify's types; imported once by app.ts.
declare module 'fastify' {
  interface FastifyInstance {
    config: LicornConfig;
    core: Core;
    sessions: SessionStore;
    hub: PushHub;
    accountList: AccountList;
    loginThrottle: LoginThrottle;
    terminals: TerminalManager;
    eventStreams: EventStreams;
    // Aborted when the app starts to close (plugins/stopping-signal.ts).
    stopping: AbortSignal;
  }
  interface FastifyRequest {
    // The logged-in session, or null for an anonymous request.
    session: WebSession | null;
  }
  interface FastifyContextConfig {
    // Reachable without logging in (the login page, static files).
    public?: boolean;
    // Only for admins; others get 403 and the attempt is logged.
    admin?: boolean;
    // false: no CSRF token asked (a JSON-only API route no cross-site page can send: the
    // login of the API, POST /api/v1/session).
    csrf?: false;
  }
}
