import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import type { RealMachine } from './real-machine.ts';

// What the daemon answered.
export interface WebResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

// A session of a browser or API client: its cookies and its CSRF token.
export interface WebSession {
  cookie: string;
  csrf: string;
}

// One HTTPS request to the real machine's daemon, trusting only its generated certificate.
export async function sendRequest(
  machine: RealMachine,
  method: string,
  path: string,
  options: { cookie?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<WebResponse> {
  const ca = await readFile(join(machine.dir, 'certs/licorn.crt'));
  return new Promise((resolve, reject) => {
    const outgoing = request(
      `${machine.url}${path}`,
      {
        method,
        ca,
        timeout: 20_000,
        headers: { ...(options.cookie ? { cookie: options.cookie } : {}), ...options.headers },
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => {
          body += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body }));
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`${method} ${path}: no answer within 20 s`)));
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

// Merges the cookies a response sets into a Cookie header value.
function mergeCookies(previous: string, response: WebResponse): string {
  const jar = new Map(
    previous
      .split('; ')
      .filter(Boolean)
      .map((pair) => pair.split('=', 2) as [string, string]),
  );
  const setCookie = response.headers['set-cookie'] ?? [];
  for (const line of Array.isArray(setCookie) ? setCookie : [setCookie]) {
    const [name, value] = line.split(';')[0]!.split('=', 2) as [string, string];
    if (value === '' || /max-age=0/i.test(line)) jar.delete(name);
    else jar.set(name, value);
  }
  return [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
}

// Logs in through the form as a browser would: the answer, and the session when it worked.
export async function logIn(
  machine: RealMachine,
  login: string,
  password: string,
): Promise<{ response: WebResponse; session: WebSession | null }> {
  const page = await sendRequest(machine, 'GET', '/login/');
  let cookie = mergeCookies('', page);
  const csrf = /<meta name="csrf-token" content="([^"]*)">/.exec(page.body)?.[1] ?? '';
  const response = await sendRequest(machine, 'POST', '/login/', {
    cookie,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ login, password, _csrf: csrf }).toString(),
  });
  cookie = mergeCookies(cookie, response);
  if (response.status !== 303 || !/__Host-licorn-session=/.test(cookie)) return { response, session: null };
  const me = await sendRequest(machine, 'GET', '/api/v1/session', { cookie });
  return { response, session: { cookie, csrf: (JSON.parse(me.body) as { csrfToken: string }).csrfToken } };
}

// Calls the JSON API as `session`; the status and the parsed answer.
export async function callApi(
  machine: RealMachine,
  session: WebSession,
  method: string,
  path: string,
  payload?: object,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await sendRequest(machine, method, path, {
    cookie: session.cookie,
    headers: { 'x-csrf-token': session.csrf, ...(payload ? { 'content-type': 'application/json' } : {}) },
    body: payload ? JSON.stringify(payload) : undefined,
  });
  return { status: response.status, json: response.body ? (JSON.parse(response.body) as Record<string, unknown>) : {} };
}

// Submits a page's form as a browser would: GETs `page` for its CSRF token (the form's
// `_csrf` field), then POSTs `fields` to `action`; the answer.
export async function submitForm(
  machine: RealMachine,
  cookie: string,
  page: string,
  action: string,
  fields: Record<string, string>,
): Promise<WebResponse> {
  const form = await sendRequest(machine, 'GET', page, { cookie });
  const csrf = /name="_csrf" value="([^"]*)"/.exec(form.body)?.[1] ?? '';
  return sendRequest(machine, 'POST', action, {
    cookie,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...fields, _csrf: csrf }).toString(),
  });
}
