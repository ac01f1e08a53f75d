// Calls the JSON API from a page: the session cookie goes along, the CSRF token from the
// page's <meta name="csrf-token">; an error answer becomes an ApiError carrying the field.

// An error answer of the API: `{ code, field, message }` and the HTTP status.
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, readonly field: string | null, message: string) {
    super(message);
  }
}

function getCsrfToken(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? '';
}

// Sends a request and returns the parsed JSON answer (or text for non-JSON answers).
export async function callApi<T = unknown>(method: string, url: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') headers['x-csrf-token'] = getCsrfToken();
  if (body !== undefined) headers['content-type'] = 'application/json';
  const answer = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', signal });
  const type = answer.headers.get('content-type') ?? '';
  const payload: unknown = type.includes('json') ? await answer.json() : await answer.text();
  if (!answer.ok) {
    const error = (payload ?? {}) as { code?: string; field?: string; message?: string };
    throw new ApiError(answer.status, error.code ?? 'internal-error', error.field ?? null, error.message ?? `The server answered ${answer.status}`);
  }
  return payload as T;
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
