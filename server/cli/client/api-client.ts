import {
  Agent as HttpAgent,
  request as httpRequest,
  type ClientRequest,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type RequestOptions,
} from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import { RefusedError } from '../cli-errors.ts';
import { getEnvironmentLocale } from './environment-locale.ts';
import { getTerminalJson } from '../../core/text/terminal-text.ts';

// Where the daemon is: its local Unix socket (the caller known by its uid, no password), or a
// remote daemon's HTTPS address (a session or a token, see remote-auth.ts).
export type Target = { kind: 'socket'; socketPath: string } | { kind: 'remote'; url: URL; ca?: Buffer };

// What a remote daemon needs on each request, found once (a prompt, a token) and kept.
export type Authenticate = (client: ApiClient) => Promise<Record<string, string>>;

// One answer, read whole.
export interface ApiAnswer {
  status: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

// How requests go out: node:http over the socket, node:https (loaded only then) to a remote.
interface Transport {
  agent: HttpAgent;
  request(url: URL | null, options: RequestOptions, onResponse: (response: IncomingMessage) => void): ClientRequest;
}

// The error body of every refusal of the API (server/web/plugins/errors.ts).
interface ErrorBody {
  code?: string;
  field?: string | null;
  message?: string;
}

// The `licorn` command's HTTP client of licornd's JSON API, over the local socket or HTTPS:
// plain node:http, because the command starts many times a minute and a library costs its
// load time. Refusals become RefusedError with the daemon's own message and field.
export class ApiClient {
  readonly target: Target;
  readonly #authenticate: Authenticate | null;
  #auth: Promise<Record<string, string>> | null = null;
  #transport: Promise<Transport> | null = null;
  #agent: HttpAgent | null = null;

  constructor(target: Target, authenticate: Authenticate | null = null) {
    this.target = target;
    this.#authenticate = authenticate;
  }

  // Where the daemon is, for messages.
  get where(): string {
    return this.target.kind === 'socket' ? this.target.socketPath : this.target.url.origin;
  }

  // Sends one request without authentication (the remote login itself) and reads the answer.
  async sendRaw(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiAnswer> {
    const response = await this.#open(method, path, body, headers);
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    return { status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) };
  }

  // Sends one request and returns the answer's body as it came (for --json), or throws the refusal.
  async getText(method: string, path: string, body?: unknown): Promise<string> {
    const answer = await this.sendRaw(method, path, body, await this.#getAuth());
    if (answer.status >= 400) throw getRefusal(answer.status, answer.body.toString('utf8'));
    return answer.body.toString('utf8');
  }

  // Copies an answer's JSON to `output` as it comes (--json of 10,000 accounts is 2.4 MB),
  // ending with a newline, the characters a terminal acts on as \u escapes (the same JSON
  // value: terminal-text.ts); or throws the refusal.
  async copyTo(method: string, path: string, output: { write(data: string | Uint8Array): void }): Promise<void> {
    const response = await this.#open(method, path, undefined, await this.#getAuth());
    if ((response.statusCode ?? 0) >= 400) throw await readRefusal(response);
    // A character split between two chunks is decoded whole with the next one.
    const decoder = new StringDecoder('utf8');
    let last = '\n';
    for await (const chunk of response) {
      const text = decoder.write(chunk as Buffer);
      if (text.length > 0) last = text[text.length - 1]!;
      output.write(getTerminalJson(text));
    }
    const rest = decoder.end();
    if (rest) output.write(getTerminalJson(rest));
    if ((rest || last).at(-1) !== '\n') output.write('\n');
  }

  // Sends one request and parses the answer's JSON, or throws the refusal.
  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const text = await this.getText(method, path, body);
    return (text === '' ? null : JSON.parse(text)) as T;
  }

  // Opens a long answer (an NDJSON stream) and hands it over once its status says it is accepted.
  async openStream(path: string): Promise<IncomingMessage> {
    const response = await this.#open('GET', path, undefined, await this.#getAuth());
    if ((response.statusCode ?? 0) < 400) return response;
    throw await readRefusal(response);
  }

  // Lets the process end: no kept-alive connection holds it.
  close(): void {
    this.#agent?.destroy();
  }

  #getTransport(): Promise<Transport> {
    const { target } = this;
    this.#transport ??=
      target.kind === 'socket'
        ? Promise.resolve({
            agent: new HttpAgent({ keepAlive: true }),
            request: (_, options, onResponse) => httpRequest({ ...options, socketPath: target.socketPath }, onResponse),
          })
        : import('node:https').then(({ Agent, request }) => ({
            agent: new Agent({ keepAlive: true, ...(target.ca ? { ca: target.ca } : {}) }),
            request: (url, options, onResponse) => request(url!, options, onResponse),
          }));
    return this.#transport.then((transport) => {
      this.#agent = transport.agent;
      return transport;
    });
  }

  #getAuth(): Promise<Record<string, string>> {
    if (!this.#authenticate) return Promise.resolve({});
    this.#auth ??= this.#authenticate(this);
    return this.#auth;
  }

  async #open(method: string, path: string, body: unknown, extra: Record<string, string>): Promise<IncomingMessage> {
    const transport = await this.#getTransport();
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    // The daemon says its refusals in the terminal's language (LANG and the LC_* variables);
    // on the local socket it wins over the account's choice on "My account" (plugins/locale.ts).
    const locale = getEnvironmentLocale();
    const headers: OutgoingHttpHeaders = {
      accept: 'application/json',
      ...(locale ? { 'accept-language': locale } : {}),
      ...extra,
    };
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = payload.length;
    }
    const url = this.target.kind === 'remote' ? new URL(path, this.target.url) : null;
    const field = this.target.kind === 'socket' ? 'socket' : 'url';
    return new Promise((resolve, reject) => {
      const request = transport.request(url, { path, method, headers, agent: transport.agent }, resolve);
      request.on('error', (error: NodeJS.ErrnoException) => reject(describeConnectError(error, this.where, field)));
      request.end(payload);
    });
  }
}

// The refusal in an error answer, read whole.
async function readRefusal(response: IncomingMessage): Promise<RefusedError> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return getRefusal(response.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'));
}

// The refusal an error answer carries: the daemon's message and field, else its status.
export function getRefusal(status: number, text: string): RefusedError {
  let body: ErrorBody = {};
  try {
    body = JSON.parse(text) as ErrorBody;
  } catch {
    // Not the API's error body (a proxy's page): the status says enough.
  }
  const message = typeof body.message === 'string' ? body.message : `The daemon answered HTTP ${status}`;
  return new RefusedError(message, { field: typeof body.field === 'string' ? body.field : null, status });
}

// Why the daemon could not be reached, in words (the socket missing, not ours to open, a refused port).
function describeConnectError(error: NodeJS.ErrnoException, where: string, field: string): RefusedError {
  const reasons: Record<string, string> = {
    ENOENT: 'no such socket: is licornd running? (--socket or LICORN_SOCKET names another)',
    ECONNREFUSED: 'connection refused: is licornd running?',
    EACCES: 'permission denied',
    ENOTFOUND: 'no such host',
  };
  const reason = (error.code && reasons[error.code]) ?? error.message;
  return new RefusedError(`Cannot reach licornd at ${where}: ${reason}`, { field });
}
