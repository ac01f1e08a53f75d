import fp from 'fastify-plugin';
import { CoreError } from '../../core/errors.ts';
import { dirname, join } from 'node:path';
import { LocalServer } from '../local/local-server.ts';
import { InsideServer } from '../local/inside-server.ts';
import { getLocalPeer } from '../local/local-peer.ts';
import { getLocalAccount } from '../local/local-account.ts';

declare module 'fastify' {
  interface FastifyInstance {
    // The local socket (cli.socket): main.ts makes it listen once the app does.
    localServer: LocalServer;
    // The socket of `licorn get inside` (cli.inside_socket), listening once main.ts says so.
    insideServer: InsideServer;
  }
}

// The local socket's callers: a request there is the account of its peer's uid (root as
// an admin), through a session of its connection that the session store re-reads at every
// request and socket frame like a browser's (a demotion, a lock or a deletion applies at
// once); cookies are ignored there. A request with an Origin header (a browser, behind
// some proxy) is refused: the local socket skips the CSRF and Origin rules, meant for
// programs only.
export default fp(
  async (app) => {
    const server = new LocalServer(app);
    app.decorate('localServer', server);
    // Its history in a root-only directory beside the sessions file (/var/lib/licorn/inside/).
    const inside = new InsideServer(app, join(dirname(app.config.sessions.storeFile), 'inside', 'history'));
    app.decorate('insideServer', inside);
    app.addHook('onRequest', (request, _reply, done) => {
      const peer = getLocalPeer(request.raw.socket);
      if (!peer) return done();
      if (request.headers.origin !== undefined) {
        request.log.warn({ origin: request.headers.origin }, 'local socket: refused a request with an Origin');
        const message = 'The local socket is for local programs: a request with an Origin header is refused';
        return done(new CoreError('permission-denied', message, { field: 'origin' }));
      }
      let session = peer.sessionId ? app.sessions.use(peer.sessionId) : null;
      if (!session) {
        try {
          session = app.sessions.createBound(
            getLocalAccount(app.core.auth, peer.uid),
            peer.address,
            'local',
            'local socket',
          );
        } catch (error) {
          return done(error as Error);
        }
        peer.sessionId = session.id;
      }
      request.session = session;
      done();
    });
    app.addHook('preClose', async () => server.stopAccepting());
    app.addHook('onClose', async () => Promise.all([server.close(), inside.close()]).then(() => undefined));
  },
  { name: 'licorn-local-socket', dependencies: ['licorn-sessions', 'licorn-core'] },
);
