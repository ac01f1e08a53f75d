import { X509Certificate } from 'node:crypto';
import { isIP, type Socket } from 'node:net';
import type { Server as TlsServer } from 'node:tls';

// The sniffer's bounds, so that idle or trickling sockets cannot pile up:
// - firstByteTimeoutMs: how long a new connection may take to send its first byte. A browser
//   sends its ClientHello (or a plain request) at once after connecting; 5 s covers a slow
//   mobile link several times over (nginx's client_header_timeout is 60 s, but it also caps
//   connections per worker).
// - sniffTimeoutMs: how long a plain HTTP connection may take to send its whole request head
//   (a slowloris holds nothing longer).
// - maxUnsettled: the most connections at once still waiting for their first byte or sending
//   a plain head. Past it the oldest is cut (a real client has long since sent its bytes; an
//   attacker's idle socket has not), so a flood of idle sockets can neither fill the process's
//   descriptors (1024 by default under systemd, shared with sessions, terminals and files)
//   nor lock real clients out. 256: far above what real browsers hold in that state (a few
//   each, for milliseconds), a quarter of that default descriptor limit.
// - maxHeadBytes: the most head bytes read; lingerMs: how long an answered socket may stay.
export const plainHttpLimits = {
  firstByteTimeoutMs: 5000,
  sniffTimeoutMs: 10_000,
  maxUnsettled: 256,
  maxHeadBytes: 8192,
  lingerMs: 2000,
};

// The longest path kept in a redirect; a longer (or odd) one leads to "/".
const maxPathLength = 2048;

// A TLS connection starts with a handshake record: content type 22.
const tlsHandshake = 0x16;

// Puts a sniffer in front of the HTTPS server's connections: a TLS handshake goes on to TLS as
// before, anything else is answered as plain HTTP with a redirect to https on the same port,
// as Cockpit does (an `http://host:3356/` typed by hand used to get an empty reply). Returns
// what ends the connections still being sniffed (at shutdown: they are the server's no more).
export function applyPlainHttpRedirect(server: TlsServer, cert: string, limits = plainHttpLimits): () => void {
  const certificate = new X509Certificate(cert);
  const tlsListeners = server.listeners('connection') as ((socket: Socket) => void)[];
  // The connections waiting for a first byte or sending a plain head, oldest first (a Set
  // keeps insertion order).
  const unsettled = new Set<Socket>();
  server.removeAllListeners('connection');
  server.on('connection', (socket: Socket) => {
    while (unsettled.size >= limits.maxUnsettled) {
      const oldest = unsettled.values().next().value as Socket;
      unsettled.delete(oldest);
      oldest.destroy();
    }
    unsettled.add(socket);
    socket.on('close', () => unsettled.delete(socket));
    const timer = setTimeout(() => socket.destroy(), limits.firstByteTimeoutMs);
    const done = () => {
      clearTimeout(timer);
      socket.removeListener('readable', onReadable);
      socket.removeListener('error', onError);
      socket.removeListener('close', done);
    };
    const onError = () => socket.destroy();
    // Reads one byte and puts it back: TLS takes over a socket with buffered bytes as received.
    const onReadable = () => {
      const first = socket.read(1) as Buffer | null;
      if (first === null) return;
      socket.unshift(first);
      done();
      if (first[0] === tlsHandshake) {
        unsettled.delete(socket);
        for (const listener of tlsListeners) listener.call(server, socket);
      } else handlePlainHttp(socket, certificate, limits, () => unsettled.delete(socket));
    };
    socket.on('error', onError);
    socket.on('close', done);
    socket.on('readable', onReadable);
  });
  return () => {
    for (const socket of unsettled) socket.destroy();
  };
}

// Reads a plain HTTP request's head (never its body) and answers the redirect, then closes;
// `settled` once the head is read (the socket is no more counted among the unsettled).
function handlePlainHttp(
  socket: Socket,
  certificate: X509Certificate,
  limits: typeof plainHttpLimits,
  settled: () => void,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  const timer = setTimeout(() => socket.destroy(), limits.sniffTimeoutMs);
  const finish = (response: string) => {
    clearTimeout(timer);
    settled();
    socket.removeListener('data', onData);
    // What the client still sends (a body) is dropped unread until it sees the close.
    socket.on('data', () => {});
    socket.end(response);
    setTimeout(() => socket.destroy(), limits.lingerMs).unref();
  };
  const onData = (chunk: Buffer) => {
    chunks.push(chunk);
    size += chunk.length;
    const head = Buffer.concat(chunks).subarray(0, limits.maxHeadBytes).toString('latin1');
    const end = head.search(/\r?\n\r?\n/);
    if (end !== -1) finish(renderRedirect(head.slice(0, end), socket, certificate));
    else if (size >= limits.maxHeadBytes) finish(renderPlainAnswer(431, 'Request Header Fields Too Large'));
  };
  socket.on('error', () => socket.destroy());
  socket.on('close', () => clearTimeout(timer));
  socket.on('data', onData);
}

// The answer to a request head: 301 (GET, HEAD) or 308 (other methods keep theirs) to
// https on this port; 400 for what is not an HTTP/1 request.
export function renderRedirect(
  head: string,
  socket: Pick<Socket, 'localAddress' | 'localPort'>,
  certificate: X509Certificate,
): string {
  const lines = head.split(/\r?\n/);
  const request = /^([A-Z]{1,16}) (\S{1,8192}) HTTP\/1\.[01]$/.exec(lines[0] ?? '');
  if (!request) return renderPlainAnswer(400, 'Bad Request');
  const hosts = lines.slice(1).filter((line) => /^host:/i.test(line));
  const named = hosts.length === 1 ? parseHostName(hosts[0]!.slice(5).trim()) : null;
  const host = named && isCoveredBy(named, certificate) ? named : (socket.localAddress ?? '127.0.0.1');
  const port = socket.localPort === 443 ? '' : `:${socket.localPort}`;
  const location = `https://${formatHost(host)}${port}${getSafePath(request[2]!)}`;
  const [status, reason] =
    request[1] === 'GET' || request[1] === 'HEAD' ? [301, 'Moved Permanently'] : [308, 'Permanent Redirect'];
  const headers = `Location: ${location}\r\nContent-Length: 0\r\nCache-Control: no-store\r\nConnection: close`;
  return `HTTP/1.1 ${status} ${reason}\r\n${headers}\r\n\r\n`;
}

function renderPlainAnswer(status: number, reason: string): string {
  return `HTTP/1.1 ${status} ${reason}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`;
}

// The host name of a Host header (a name, an IPv4 or a bracketed IPv6 address, an optional
// port), lower-cased; null for anything else.
function parseHostName(value: string): string | null {
  const match = /^(?:\[([0-9a-f:.]{2,45})\]|([a-z0-9.-]{1,253}))(?::\d{1,5})?$/i.exec(value);
  if (!match) return null;
  if (match[1] !== undefined) return isIP(match[1]) === 6 ? match[1].toLowerCase() : null;
  return match[2]!.toLowerCase();
}

// Whether the certificate names this host: only then is the client's Host echoed back (a
// redirect elsewhere is none of ours, and would fail TLS anyway); else the address it reached.
function isCoveredBy(host: string, certificate: X509Certificate): boolean {
  return isIP(host) ? certificate.checkIP(host) !== undefined : certificate.checkHost(host) !== undefined;
}

function formatHost(host: string): string {
  const v4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(host);
  if (v4) return v4[1]!;
  return isIP(host) === 6 ? `[${host}]` : host;
}

// The request's path and query when they are a plain origin-form target, else "/".
function getSafePath(target: string): string {
  return target.length <= maxPathLength && /^\/[\x21-\x7e]*$/.test(target) ? target : '/';
}
