import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { createInterface } from 'node:readline';

// One answer of the local socket: its status and its body, parsed when it is JSON.
export interface LocalAnswer {
  status: number;
  body: string;
  json: () => Record<string, unknown>;
}

// Sends one request over a licornd's local socket as this process (root, in the tests), as
// the `licorn` command does: plain HTTP, no cookie, no CSRF token.
export function requestLocal(
  socketPath: string,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; agent?: Agent } = {},
): Promise<LocalAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    // No agent by default: a connection of its own, closed after the answer (Node 20's
    // global agent would keep it alive, and its session with it).
    const sent = request({ socketPath, method, path, headers, agent: options.agent ?? false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, json: () => JSON.parse(body) }));
    });
    sent.on('error', reject);
    sent.end(options.body === undefined ? undefined : JSON.stringify(options.body));
  });
}

// The client a setpriv'd process runs (given inline: it needs nothing from the project):
// one keep-alive connection, a request per JSON line on stdin, an answer per line on stdout.
const childScript = `
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const [socketPath] = process.argv.slice(1);
require('node:readline').createInterface({ input: process.stdin }).on('line', (line) => {
  const { method, path, body } = JSON.parse(line);
  const headers = body === undefined ? {} : { 'content-type': 'application/json' };
  const sent = http.request({ socketPath, method, path, headers, agent }, (response) => {
    let text = '';
    response.on('data', (chunk) => { text += chunk; });
    response.on('end', () => process.stdout.write(JSON.stringify({ status: response.statusCode, body: text }) + '\\n'));
  });
  sent.on('error', (error) => process.stdout.write(JSON.stringify({ status: 0, body: error.code }) + '\\n'));
  sent.end(body === undefined ? undefined : JSON.stringify(body));
});
`;

// A local socket client running as `uid`/`gid` (setpriv, no supplementary groups), over one
// connection kept alive between its requests. Stop it with stop() (or stopProcesses).
export interface LocalClientAs {
  child: ChildProcess;
  send(method: string, path: string, body?: unknown): Promise<LocalAnswer>;
  stop(): void;
}

// Starts a LocalClientAs; `started` collects the child for an afterAll to kill.
export function startLocalClientAs(
  ids: { uid: number; gid: number },
  socketPath: string,
  started: ChildProcess[],
): LocalClientAs {
  const who = ['--reuid', String(ids.uid), '--regid', String(ids.gid), '--clear-groups'];
  const child = spawn(
    'setpriv',
    ['--pdeathsig', 'KILL', ...who, '--', process.execPath, '-e', childScript, socketPath],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  started.push(child);
  const waiting: ((line: string) => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => waiting.shift()?.(line));
  return {
    child,
    send: (method, path, body) =>
      new Promise((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`the client as uid ${ids.uid} exited ${code}`)));
        waiting.push((line) => {
          const { status, body: text } = JSON.parse(line) as { status: number; body: string };
          resolve({ status, body: text, json: () => JSON.parse(text) });
        });
        child.stdin!.write(`${JSON.stringify({ method, path, body })}\n`);
      }),
    stop: () => child.kill('SIGKILL'),
  };
}
