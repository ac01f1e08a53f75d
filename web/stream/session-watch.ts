// What a page does when its session ends under it (logout in another tab, timeout, account
// locked): it stays where it is with everything typed, says so, and asks the server every
// few seconds (and when the tab comes back to the front) whether a session is back, as after
// logging in again in another tab; then it takes the new session's CSRF token and lets
// what was waiting (API calls, the push channel) go on. A daemon restart is no lost session:
// sessions survive it.
import { t } from '../i18n.ts';

const pollEveryMs = 3000;
let lost = false;
let waiters: (() => void)[] = [];
let timer: ReturnType<typeof setTimeout> | undefined;

// Whether the page is waiting for a session.
export function isSessionLost(): boolean {
  return lost;
}

// Whether this browser has a session now (with its CSRF token), none, or no answer.
export type SessionState = { state: 'ok'; csrfToken: string } | { state: 'none' | 'unreachable' };

// Asks the server who this browser is now: 'ok' with the session's CSRF token, 'none' when
// it has no session, 'unreachable' when the server does not answer (a restart).
export async function getSessionState(): Promise<SessionState> {
  try {
    const headers = { accept: 'application/json' };
    const answer = await fetch('/api/v1/session', { credentials: 'same-origin', headers, cache: 'no-store' });
    if (answer.status === 401) return { state: 'none' };
    if (!answer.ok) return { state: 'unreachable' };
    const { csrfToken } = (await answer.json()) as { csrfToken: string };
    return { state: 'ok', csrfToken };
  } catch {
    return { state: 'unreachable' };
  }
}

// Puts a session's CSRF token where the page's requests and forms (logout) take it.
export function applyCsrfToken(token: string): void {
  document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.setAttribute('content', token);
  document.querySelectorAll<HTMLInputElement>('input[name="_csrf"]').forEach((input) => {
    input.value = token;
  });
}

// Says the session has ended (once) and starts waiting for one to come back.
export function handleSessionLost(): void {
  if (lost) return;
  lost = true;
  showNotice();
  document.addEventListener('visibilitychange', checkNow);
  window.addEventListener('focus', checkNow);
  schedule();
}

// Resolves when a session is back (at once when none was lost); rejects when `signal` aborts.
export function whenSessionBack(signal?: AbortSignal): Promise<void> {
  if (!lost) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const wake = () => resolve();
    waiters.push(wake);
    signal?.addEventListener(
      'abort',
      () => {
        waiters = waiters.filter((waiter) => waiter !== wake);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

function schedule(): void {
  clearTimeout(timer);
  timer = setTimeout(() => void checkNow(), pollEveryMs);
}

async function checkNow(): Promise<void> {
  if (!lost) return;
  const answer = await getSessionState();
  if (answer.state !== 'ok') {
    schedule();
    return;
  }
  applyCsrfToken(answer.csrfToken);
  lost = false;
  clearTimeout(timer);
  document.removeEventListener('visibilitychange', checkNow);
  window.removeEventListener('focus', checkNow);
  document.getElementById('session-notice')?.remove();
  const woken = waiters;
  waiters = [];
  woken.forEach((wake) => wake());
}

// The notice at the top of the page, with a link that opens the login form in a new tab.
function showNotice(): void {
  if (document.getElementById('session-notice')) return;
  const notice = document.createElement('div');
  notice.id = 'session-notice';
  notice.className = 'notice notice-error session-notice';
  notice.setAttribute('role', 'alert');
  const text = document.createElement('p');
  text.textContent = `${t('session.ended')} `;
  const link = Object.assign(document.createElement('a'), {
    href: '/login/',
    target: '_blank',
    rel: 'noopener',
    textContent: t('session.logIn'),
  });
  text.append(link);
  notice.append(text);
  (document.getElementById('main') ?? document.body).prepend(notice);
}
