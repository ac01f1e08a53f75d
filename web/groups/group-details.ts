// One group's page: its description saved on its own (with the version it was based on),
// rename, accounts and their roles edited from the group's side, delete with the core's
// reason shown when refused; follows `group/<name>` for changes made anywhere.
import { ApiError, callApi, notify } from '../api.ts';
import { t } from '../i18n.ts';
import { disableEditing, showPageStatus, showSaveState, type SaveState } from '../save-state.ts';
import { registerChart } from '../stream/stream-actions.ts';
import type { Group } from '../../server/core/accounts/group-schema.ts';
import { startGroupShare } from './group-share.ts';
import { startAccountPicker } from './account-picker.ts';

// Starts the page (called when <body data-page="group">).
export function startGroupDetails(): void {
  const root = document.getElementById('group-details')!;
  let group = JSON.parse(root.dataset.group!) as Group;
  const url = `/api/v1/groups/${encodeURIComponent(group.name)}`;
  const description = document.getElementById('group-description') as HTMLInputElement;
  let editingFrom: Group | null = null;
  let gone = false;

  const setState = (field: string, state: SaveState, message = '') => {
    showSaveState(root, field, state, message);
    // Here a conflict is told in the field's message slot (there is no notice with buttons).
    const slot = root.querySelector<HTMLElement>(`[data-error-for="${field}"]`);
    if (state === 'conflict' && slot) slot.textContent = message;
  };

  description.addEventListener('input', () => {
    editingFrom ??= group;
  });
  description.addEventListener('change', async () => {
    const base = editingFrom ?? group;
    setState('description', 'saving');
    try {
      group = await callApi<Group>('PATCH', url, { version: base.version, description: description.value });
      editingFrom = null;
      setState('description', 'saved');
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) {
        const fresh = await callApi<Group>('GET', url);
        if (fresh.description === base.description) {
          editingFrom = fresh;
          description.dispatchEvent(new Event('change'));
          return;
        }
        setState('description', 'conflict', t('group.conflictSaved', { theirs: fresh.description }));
        editingFrom = fresh;
        return;
      }
      setState('description', 'error', (error as Error).message);
    }
  });

  startGroupShare(root, url);
  const addLogin = document.getElementById('group-add-login') as HTMLInputElement | null;
  const suggestions = document.getElementById('group-add-suggestions');
  if (addLogin && suggestions) startAccountPicker(addLogin, suggestions);

  // Permissive: saved at once, with the latest version; the share's files follow in the
  // background (group-share.ts shows the repair).
  const permissiveBox = document.getElementById('group-permissive') as HTMLInputElement | null;
  permissiveBox?.addEventListener('change', async () => {
    setState('permissive', 'saving');
    try {
      group = await callApi<Group>('PATCH', url, { version: group.version, permissive: permissiveBox.checked });
      setState('permissive', 'saved');
    } catch (error) {
      permissiveBox.checked = !permissiveBox.checked;
      setState('permissive', 'error', (error as Error).message);
    }
  });

  const setRole = async (login: string, role: string) => {
    setState('members', 'saving');
    try {
      await callApi('PUT', `${url}/roles/${encodeURIComponent(login)}`, { role });
      setState('members', 'saved');
    } catch (error) {
      setState('members', 'error', (error as Error).message);
    }
  };
  root.addEventListener('change', (event) => {
    const target = event.target as HTMLInputElement;
    if (target.type === 'radio' && target.name.startsWith('role:')) void setRole(target.name.slice(5), target.value);
  });
  root.addEventListener('click', (event) => {
    const button = (event.target as Element).closest<HTMLButtonElement>('button[data-remove-member]');
    if (button) void setRole(button.dataset.removeMember!, 'none');
  });

  root.addEventListener('submit', async (event) => {
    const form = (event.target as Element).closest<HTMLFormElement>('form[data-group-form]');
    if (!form) return;
    event.preventDefault();
    const data = new FormData(form);
    const kind = form.dataset.groupForm;
    if (kind === 'add-member') {
      const [login, role] = [String(data.get('login')).trim(), String(data.get('role'))];
      await setRole(login, role);
      if (root.querySelector<HTMLElement>('[data-state-for="members"]')?.dataset.state !== 'saved') return;
      // Only what still holds what was sent is cleared: the admin may have typed the next
      // login (or picked its role) while this one was saved.
      const loginField = form.querySelector<HTMLInputElement>('[name="login"]');
      if (loginField?.value.trim() === login) loginField.value = '';
      const roleField = form.querySelector<HTMLSelectElement>('select[name="role"]');
      if (roleField?.value === role) roleField.selectedIndex = 0;
    } else if (kind === 'rename') {
      setState('newName', 'saving');
      try {
        const renamed = await callApi<Group>('PATCH', url, {
          version: group.version,
          newName: String(data.get('newName')).trim(),
        });
        location.assign(`/groups/${encodeURIComponent(renamed.name)}`);
      } catch (error) {
        setState('newName', 'error', (error as Error).message);
      }
    } else if (kind === 'delete') {
      // The summary follows the group live (group/<name>): the confirmation says what is true now.
      const summary = document.getElementById('group-delete-summary')?.textContent ?? '';
      if (!confirm(t('group.deleteConfirm', { name: group.name, summary }))) return;
      try {
        const answer = await callApi<{ archive: string | null }>('DELETE', url);
        gone = true;
        showStatus(answer.archive ? t('group.deletedArchived', { archive: answer.archive }) : t('group.deleted'), 'ok');
        setTimeout(() => location.assign('/groups/'), 1500);
      } catch (error) {
        // The core's reason (protected, someone's primary group, a helper group) is shown as is.
        showStatus((error as Error).message, 'error');
      }
    }
  });

  const showStatus = (text: string, kind: 'ok' | 'error') => showPageStatus('group-status', text, kind);

  registerChart('group-details', (data) => {
    const { group: next } = data as { group: Group | null };
    if (next === null) {
      if (gone) return;
      gone = true;
      showStatus(t('group.deletedElsewhere', { name: group.name }), 'error');
      disableEditing(root);
      return;
    }
    if (permissiveBox && next.permissive !== null) permissiveBox.checked = next.permissive;
    if (next.version === group.version) return;
    if (editingFrom === null) description.value = next.description;
    else if (next.description !== editingFrom.description && next.description !== description.value) {
      setState('description', 'conflict', t('group.conflictEditing', { theirs: next.description }));
      editingFrom = next;
    }
    group = next;
  });
}
