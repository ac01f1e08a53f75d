import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import websocket from '@fastify/websocket';
import { handleWebSocketError } from '../routes/push-socket.ts';
import { maxFrameBytes } from '../push/push-limits.ts';

// The URLs of the sockets: the push channel (/ws) and a terminal's (/terminal/ws/<id>, an id as
// TerminalManager makes them), with or without a query string.
const socketUrl = /^\/(?:ws|terminal\/ws\/[A-Za-z0-9_-]{22})(?:\?.*)?$/s;

// Whether a URL is one of the sockets'. Exactly their routes' shapes: an upgrade is handed to
// the plugin only when a socket route will answer it, whose hooks close the connection after
// any refusal (a URL no route matches would be answered by the app's 404, outside the plugin's
// context, and its connection left open).
export function isWebSocketPath(url: string): boolean {
  return socketUrl.test(url);
}

// Registers @fastify/websocket in `scope`, the context of the routes that upgrade, and not on
// the whole app: there it added an onRequest and an onResponse hook to every request and
// wrapped every handler (the login page's keep-alive figures, bench/README.md, eleventh
// session). The server's upgrades reach it for the sockets' paths only; any other upgrade
// request is answered 404 and its connection closed (the plugin used to accept it, then
// close it), so that no upgraded socket is left outside the plugin's care.
export async function registerWebSockets(app: FastifyInstance, scope: FastifyInstance): Promise<void> {
  const upgrades = new EventEmitter();
  app.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // After the plugin's preClose, nobody listens: the socket is closed rather than left.
    if (isWebSocketPath(request.url ?? '') && upgrades.listenerCount('upgrade') > 0) {
      upgrades.emit('upgrade', request, socket, head);
      return;
    }
    socket.on('error', () => socket.destroy());
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  await scope.register(websocket, {
    options: { maxPayload: maxFrameBytes, server: upgrades as never },
    errorHandler: handleWebSocketError,
  });
}
