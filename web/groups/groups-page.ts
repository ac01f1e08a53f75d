// The groups page: creates groups through the API (errors next to their field), toggles
// system groups, and keeps pushed rows in line with that toggle.
import { ApiError, callApi, notify } from '../api.ts';
import { t } from '../i18n.ts';

// Starts the page (called when <body data-page="groups">).
export function startGroupsPage(): void {
  const form = document.getElementById('create-group') as HTMLFormElement;
  const body = document.getElementById('group-rows')!;
  const showSystem = document.getElementById('groups-show-system') as HTMLInputElement;

  showSystem.addEventListener('change', () => location.assign(showSystem.checked ? '/groups/?system=1' : '/groups/'));
  new MutationObserver((records) => {
    for (const record of records) {
      record.addedNodes.forEach((node) => {
        if (node instanceof HTMLTableRowElement && node.dataset.system === 'yes' && !showSystem.checked) node.remove();
      });
    }
  }).observe(body, { childList: true });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    form.querySelectorAll('[data-error-for]').forEach((slot) => {
      slot.textContent = '';
    });
    const request: Record<string, unknown> = {
      name: String(data.get('name')).trim(),
      system: data.get('system') === 'yes',
    };
    const description = String(data.get('description')).trim();
    if (description) request.description = description;
    try {
      const group = await callApi<{ name: string }>('POST', '/api/v1/groups', request);
      // Not when the admin has started the next group meanwhile (group-details.ts: the same).
      if (new FormData(form).get('name') === data.get('name')) form.reset();
      notify(t('group.created', { name: group.name }));
    } catch (error) {
      const slot =
        error instanceof ApiError && error.field ? form.querySelector(`[data-error-for="${error.field}"]`) : null;
      if (slot) slot.textContent = (error as Error).message;
      else notify((error as Error).message, 'error');
    }
  });
}
