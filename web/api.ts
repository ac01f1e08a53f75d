// Calls the JSON API from a page: the session cookie goes along, the CSRF token from the
// page's <meta name="csrf-token">; an error answer becomes an ApiError carrying the field.
import { t } from './i18n.ts';
import { applyCsrfToken, getSessionState, handleSessionLost, whenSessionBack } from './stream/session-watch.ts';

// An error answer of the API: `{ code, field, message }` and the HTTP status; `details` is
// the whole answer (a refused unmount lists its `holders` there).
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly field: string | null,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

function getCsrfToken(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? '';
}

// How long a call waits for a server that stopped answering (a restart) before it fails.
const serverBackDeadlineMs = 60_000;

// Waits until the server answers again (a restart takes seconds), up to a deadline.
async function waitForServer(signal?: AbortSignal): Promise<boolean> {
  const end = Date.now() + serverBackDeadlineMs;
  for (let delay = 250; Date.now() < end && !signal?.aborted; delay = Math.min(delay * 2, 2000)) {
    await new Promise((resolve) => setTimeout(resolve, delay));
    const { state } = await getSessionState();
    if (state === 'none') handleSessionLost();
    if (state !== 'unreachable') return true;
  }
  return false;
}

// Sends a request and returns the parsed JSON answer (or text for non-JSON answers).
// Nothing typed is lost to a lost session or a restart: without a session (401) the page
// says so and the call waits for one to come back, then is sent again; a stale CSRF token
// (a new session from another tab) is refreshed; a server that does not answer is waited
// for, then asked again. A refused request changed nothing, so sending it again is safe.
export async function callApi<T = unknown>(
  method: string,
  url: string,
  body?: unknown,
  signal?: AbortSignal,
): Promise<T> {
  await whenSessionBack(signal);
  let answer: Response;
  try {
    answer = await send(method, url, body, signal);
  } catch (error) {
    if (signal?.aborted || !(await waitForServer(signal))) throw error;
    await whenSessionBack(signal);
    answer = await send(method, url, body, signal);
  }
  if (answer.status === 401) {
    handleSessionLost();
    await whenSessionBack(signal);
    answer = await send(method, url, body, signal);
  } else if (answer.status === 403 && method !== 'GET' && (await isCsrfRefusal(answer))) {
    const session = await getSessionState();
    if (session.state === 'ok') applyCsrfToken(session.csrfToken);
    answer = await send(method, url, body, signal);
  }
  const type = answer.headers.get('content-type') ?? '';
  const payload: unknown = type.includes('json') ? await answer.json() : await answer.text();
  if (!answer.ok) {
    const error = (payload ?? {}) as { code?: string; field?: string; message?: string };
    throw new ApiError(
      answer.status,
      error.code ?? 'internal-error',
      error.field ?? null,
      error.message ?? t('api.serverAnswered', { status: answer.status }),
      typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {},
    );
  }
  return payload as T;
}

function send(method: string, url: string, body: unknown, signal?: AbortSignal): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') headers['x-csrf-token'] = getCsrfToken();
  if (body !== undefined) headers['content-type'] = 'application/json';
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return fetch(url, { method, headers, body: payload, credentials: 'same-origin', signal });
}

// Whether a 403 is the CSRF check's (the field it names), read from a copy of the answer.
async function isCsrfRefusal(answer: Response): Promise<boolean> {
  const payload = (await answer
    .clone()
    .json()
    .catch(() => null)) as { field?: string } | null;
  return payload?.field === '_csrf';
}

// Shows a short message in the page's notification area.
export function notify(text: string, kind: 'ok' | 'error' = 'ok'): void {
  const area = document.getElementById('notifications');
  if (!area) return;
  const toast = document.createElement('div');
  toast.className = `toast toast-${kind}`;
  toast.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  const paragraph = document.createElement('p');
  paragraph.textContent = text;
  toast.append(paragraph);
  area.append(toast);
  setTimeout(() => toast.remove(), kind === 'error' ? 10_000 : 6000);
}
