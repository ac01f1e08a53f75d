import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import websocket from '@fastify/websocket';
import { handleWebSocketError } from '../routes/push-socket.ts';
import { maxFrameBytes } from '../push/push-limits.ts';

// A socket route's URL as a regular expression of the request URLs its route answers: its
// path with each `:parameter` one segment (not empty), with or without a query string.
export function getSocketUrlPattern(path: string): RegExp {
  const parts = path.split(/(:[A-Za-z_][A-Za-z0-9_]*)/);
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const source = parts.map((part, index) => (index % 2 === 1 ? '[^/?]+' : escape(part)));
  return new RegExp(`^${source.join('')}(?:\\?.*)?$`, 's');
}

// Registers @fastify/websocket in `scope`, the context of the routes that upgrade, and not on
// the whole app: there it added an onRequest and an onResponse hook to every request and
// wrapped every handler (the login page's keep-alive figures, bench/README.md, eleventh
// session). The server's upgrades reach it only for the URLs of the socket routes declared
// in `scope` afterwards (`websocket: true`: /ws, /terminal/ws/:id), whose hooks close the
// connection after any refusal; any other upgrade request is answered 404 and its connection
// closed (a URL no socket route matches would be answered by the app's 404, outside the
// plugin's context, and its connection left open).
export async function registerWebSockets(app: FastifyInstance, scope: FastifyInstance): Promise<void> {
  // By path: Fastify declares a HEAD route beside each GET one.
  const socketUrls = new Map<string, RegExp>();
  scope.addHook('onRoute', (route) => {
    if (route.websocket) socketUrls.set(route.url, getSocketUrlPattern(route.url));
  });
  const upgrades = new EventEmitter();
  app.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // After the plugin's preClose, nobody listens: the socket is closed rather than left.
    const url = request.url ?? '';
    if ([...socketUrls.values()].some((pattern) => pattern.test(url)) && upgrades.listenerCount('upgrade') > 0) {
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
