import fp from 'fastify-plugin';
import { CoreError } from '../../core/errors.ts';
import { dirname, join } from 'node:path';
import { LocalServer } from '../local/local-server.ts';
import { InsideServer } from '../local/inside-server.ts';
import type { FastifyRequest } from 'fastify';
import { getLocalPeer, type LocalPeer } from '../local/local-peer.ts';
import { getLocalAccount } from '../local/local-account.ts';
import { checkAccountStage } from '../local/account-stage.ts';
import { say } from '../../core/messages.ts';

declare module 'fastify' {
  interface FastifyInstance {
    // The local socket (cli.socket): main.ts makes it listen once the app does.
    localServer: LocalServer;
    // The socket of `licorn get inside` (cli.inside_socket), listening once main.ts says so.
    insideServer: InsideServer;
  }
}

// The local socket's callers: a request there is the account of its peer's uid (root as an admin)
// if a login's account checks let it in (PAM's account stage, shadow(5), a password that must be
// changed first: account-stage.ts), through a session of its connection that the session store
// re-reads at every request and socket frame like a browser's (a demotion, a lock or a deletion
// applies at once); cookies are ignored there. A request with an Origin header (a browser, behind
// some proxy) is refused: the local socket skips the CSRF and Origin rules, meant for programs
// only.
export default fp(
  async (app) => {
    const server = new LocalServer(app);
    app.decorate('localServer', server);
    // Its history in a root-only directory beside the sessions file (/var/lib/licorn/inside/).
    const inside = new InsideServer(app, join(dirname(app.config.sessions.storeFile), 'inside', 'history'));
    app.decorate('insideServer', inside);
    // What a local socket's request goes through before its route; the HTTPS port's skip it.
    const useLocalPeer = async (request: FastifyRequest, peer: LocalPeer): Promise<void> => {
      if (request.headers.origin !== undefined) {
        request.log.warn({ origin: request.headers.origin }, 'local socket: refused a request with an Origin');
        const message = say('web.local.origin');
        throw new CoreError('permission-denied', message, { field: 'origin' });
      }
      let session = peer.sessionId ? app.sessions.use(peer.sessionId) : null;
      const fresh = session ? null : getLocalAccount(app.core.auth, peer.uid);
      const login = session?.login ?? fresh!.login;
      // A login's account checks (PAM's account stage), asked again every little while.
      await checkAccountStage(app.core.auth, { login, uid: peer.uid, address: peer.address }, peer);
      if (fresh) {
        session = app.sessions.createBound(fresh, peer.address, 'local', 'local socket');
        peer.sessionId = session.id;
      }
      if (peer.memo?.verdict === 'must-change' && peer.uid !== 0) session!.mustChangePassword = true;
      request.session = session;
    };
    // A step of the sessions plugin's hook that returns at once on the HTTPS port: an async hook
    // costs a promise and a turn of the microtask queue on every request (bench/README.md, tenth
    // session), a hook of its own a hook turn (fifteenth).
    app.addCallerStep((request) => {
      const peer = getLocalPeer(request.raw.socket);
      return peer ? useLocalPeer(request, peer) : null;
    });
    app.addHook('preClose', async () => server.stopAccepting());
    app.addHook('onClose', async () => Promise.all([server.close(), inside.close()]).then(() => undefined));
  },
  { name: 'licorn-local-socket', dependencies: ['licorn-sessions', 'licorn-core'] },
);
