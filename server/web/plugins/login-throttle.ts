import fp from 'fastify-plugin';
import { LoginThrottle } from '../auth/login-throttle.ts';

// The one throttle of password checks (`app.loginThrottle`): the login form and "My account"'s
// current-password check count against the same limits, so a stolen session cannot guess
// the account's password through the change form faster than the login form allows.
export default fp(
  async (app) => {
    const { auth } = app.config;
    app.decorate(
      'loginThrottle',
      new LoginThrottle({
        maxPerAccount: auth.maxFailuresPerAccount,
        maxPerAddress: auth.maxFailuresPerAddress,
        windowMs: auth.failureWindowMs,
      }),
    );
  },
  { name: 'licorn-login-throttle' },
);
