import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';

// Builds the OpenAPI description of every /api/v1 route from its schema, served at
// /api/v1/openapi.json (for the CLI and for admins scripting against the daemon).
export default fp(
  async (app) => {
    await app.register(swagger, {
      openapi: {
        info: {
          title: 'Licorn WMI API',
          version: '1',
          description:
            'Accounts, groups and the machine, as the web interface and the CLI use them. ' +
            "Log in at /login/ (session cookie); every state-changing request carries the session's CSRF token " +
            'in x-csrf-token.',
        },
      },
      // Pages and the socket are not API: only /api/ routes are described.
      hideUntagged: true,
    });
    app.get('/api/v1/openapi.json', { schema: { tags: ['meta'], summary: 'This description' } }, async () =>
      app.swagger(),
    );
  },
  { name: 'licorn-openapi' },
);
