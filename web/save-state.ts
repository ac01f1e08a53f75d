// The marks a page shows while it saves each change on its own, shared by the account and
// group pages.
import { t } from './i18n.ts';

// Where a field's save stands.
export type SaveState = 'saving' | 'saved' | 'error' | 'conflict' | '';

const saveLabels: Record<SaveState, () => string> = {
  saving: () => t('save.saving'),
  saved: () => t('save.saved'),
  error: () => t('save.error'),
  conflict: () => t('save.conflict'),
  '': () => '',
};

// Shows a field's state next to its label ([data-state-for]) and its message below it
// ([data-error-for]; a conflict keeps the notice already there).
export function showSaveState(root: HTMLElement, field: string, state: SaveState, message = ''): void {
  const badge = root.querySelector<HTMLElement>(`[data-state-for="${field}"]`);
  if (badge) {
    badge.dataset.state = state;
    badge.textContent = saveLabels[state]();
  }
  const slot = root.querySelector<HTMLElement>(`[data-error-for="${field}"]`);
  if (slot && state !== 'conflict') slot.textContent = message;
}

// Shows the page's standing notice (deleted, deleted elsewhere, refused) in `#<id>`.
export function showPageStatus(id: string, text: string, kind: 'ok' | 'error'): void {
  document
    .getElementById(id)
    ?.replaceChildren(
      Object.assign(document.createElement('p'), { className: `notice notice-${kind}`, textContent: text }),
    );
}

// Makes a page whose subject was deleted elsewhere read-only.
export function disableEditing(root: HTMLElement): void {
  root.querySelectorAll<HTMLInputElement>('input, select, button, textarea').forEach((element) => {
    element.disabled = true;
  });
}
