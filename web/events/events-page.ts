// The Events page: the live rows come through the push channel into #events-rows (the
// filter is the topic's, kept in the address by the GET form); this script adds pause and
// "load earlier", and keeps the lists bounded however long the page stays open.
import { notify } from '../api.ts';
import { t } from '../i18n.ts';

// Rows kept on screen: past it the oldest go (they stay in the journal: "load earlier").
const maxShownRows = 2000;
// Rows held while paused: past it the oldest held go, and the page says how many.
const maxHeldRows = 500;

// Removes the first children of `list` past `max`; returns how many went.
function trimOldest(list: HTMLElement, max: number): number {
  let removed = 0;
  while (list.children.length > max) {
    list.firstElementChild!.remove();
    removed += 1;
  }
  return removed;
}

// Starts the page (called when <body data-page="events">).
export function startEventsPage(): void {
  const shown = document.getElementById('events-rows') as HTMLOListElement;
  const pause = document.getElementById('events-pause') as HTMLButtonElement;
  const earlier = document.getElementById('events-earlier') as HTMLButtonElement;
  const heldStatus = document.getElementById('events-held') as HTMLElement;
  let held: HTMLOListElement | null = null;
  let dropped = 0;

  // Live rows go where the id `events-rows` is: the list shown, or while paused a hidden list
  // that holds them (the push channel knows nothing of pausing).
  // Only rows added at the end push the oldest out: rows loaded earlier were asked for.
  new MutationObserver((records) => {
    const appended = records.some((record) => record.addedNodes.length > 0 && record.nextSibling === null);
    if (appended && trimOldest(shown, maxShownRows) > 0) earlier.hidden = false;
  }).observe(shown, { childList: true });
  const showHeld = () => {
    const count = held?.children.length ?? 0;
    heldStatus.hidden = held === null;
    const heldText = t('events.held', { count });
    heldStatus.textContent =
      dropped > 0
        ? t('events.pausedDropped', { held: heldText, dropped: t('events.dropped', { count: dropped }) })
        : t('events.paused', { held: heldText });
    pause.textContent = count > 0 ? t('events.resumeHeld', { count }) : t('events.resume');
  };

  pause.addEventListener('click', () => {
    if (held === null) {
      const list = document.createElement('ol');
      held = list;
      list.hidden = true;
      shown.id = 'events-rows-shown';
      list.id = 'events-rows';
      shown.after(list);
      dropped = 0;
      const observer = new MutationObserver(() => {
        // Rows moved out at resume are no news.
        if (held !== list) return observer.disconnect();
        dropped += trimOldest(list, maxHeldRows);
        showHeld();
      });
      observer.observe(list, { childList: true });
      pause.setAttribute('aria-pressed', 'true');
      showHeld();
      return;
    }
    const rows = [...held.children];
    held.remove();
    held = null;
    shown.id = 'events-rows';
    // A row held may already be shown (a reconnect sends the newest again): the held one wins.
    for (const row of rows) document.getElementById(row.id)?.remove();
    shown.append(...rows);
    if (dropped > 0) earlier.hidden = false;
    pause.setAttribute('aria-pressed', 'false');
    pause.textContent = t('events.pause');
    heldStatus.hidden = true;
  });

  earlier.addEventListener('click', async () => {
    const first = shown.querySelector<HTMLElement>('.event-row');
    const before = first?.dataset.seq;
    if (!before) return;
    earlier.disabled = true;
    try {
      const query = new URLSearchParams({ filter: earlier.dataset.filter ?? '', before });
      const answer = await fetch(`/events/earlier?${query}`, { headers: { accept: 'text/html' } });
      if (!answer.ok) throw new Error(t('events.earlierFailed', { status: answer.status }));
      const template = document.createElement('template');
      template.innerHTML = await answer.text();
      shown.prepend(template.content);
      earlier.hidden = answer.headers.get('x-events-earlier') !== 'true';
    } catch (error) {
      notify((error as Error).message, 'error');
    } finally {
      earlier.disabled = false;
    }
  });
}
