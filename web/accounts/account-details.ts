// An account's details page: every field saved on its own when the admin leaves it (with a
// saving/saved/error state), actions (lock, password, rename, delete), the group matrix, and
// live updates. Each edit carries the version the admin started from; when someone else
// changed the same field meanwhile, a conflict notice lets the admin choose, so neither
// edit is lost silently.
import { registerChart } from '../stream/stream-actions.ts';
import { ApiError, callApi, notify } from '../api.ts';
import { t } from '../i18n.ts';
import { disableEditing, showPageStatus, showSaveState, type SaveState } from '../save-state.ts';
import type { AccountView } from '../../server/core/accounts/account-schema.ts';

type Account = AccountView;

// A core message as the API answers it: `text` is said in the page's language.
interface AnsweredMessage {
  key: string;
  text: string;
}

// What deleting would do with the home (the core's HomePlan).
interface HomePlan {
  home: string;
  asked: string;
  action: 'archive' | 'remove' | 'keep' | 'none';
  warningMessage: AnsweredMessage | null;
}

// What deleting would do (the core's DeletionPlan): the home, the private group, the
// processes that refuse it unless they are ended first.
interface DeletionPlan extends HomePlan {
  privateGroup: string | null;
  groupKeptMessage: AnsweredMessage | null;
  processes: { pid: number; command: string; realUid: number; effectiveUid: number; reach: string }[];
  processCount: number;
}

// The confirmation's sentence about the home.
function describePlan(plan: HomePlan | null, asked: 'archive' | 'remove' | 'keep', home: string): string {
  if (plan?.warningMessage) return plan.warningMessage.text;
  if (plan?.action === 'none') return t('account.delete.noHome', { home });
  if (asked === 'keep') return t('account.delete.keepHome', { home });
  return asked === 'remove' ? t('account.delete.removeHome', { home }) : t('account.delete.archiveHome', { home });
}

// The confirmation's sentences about the private group and the running processes.
function describeRest(plan: DeletionPlan | null, endProcesses: boolean): string {
  const said: string[] = [];
  if (plan?.privateGroup) said.push(t('account.delete.privateGroup', { group: plan.privateGroup }));
  if (plan?.groupKeptMessage) said.push(t('account.delete.keptSentence', { reason: plan.groupKeptMessage.text }));
  const processes = plan?.processes ?? [];
  const count = plan?.processCount ?? 0;
  if (count > 0) {
    const named = processes
      .slice(0, 10)
      .map((info) => `${info.pid} ${info.command}`)
      .join(', ');
    const list = count > 10 ? t('account.delete.andMore', { list: named, count: count - 10 }) : named;
    said.push(
      endProcesses ? t('account.delete.endProcesses', { count, list }) : t('account.delete.refused', { count, list }),
    );
    // What the signal reaches beyond the account's own processes is named in the confirmation.
    const relays = processes.filter((info) => info.reach === 'as-other').map((info) => `${info.pid} ${info.command}`);
    const relayed = processes.filter((info) => info.reach === 'relayed').map((info) => `${info.pid} ${info.command}`);
    if (endProcesses && relays.length > 0)
      said.push(
        relayed.length > 0
          ? t('account.delete.relaysRelayed', { list: relays.join(', '), relayed: relayed.join(', ') })
          : t('account.delete.relays', { list: relays.join(', ') }),
      );
  }
  return said.join(' ');
}

const editableFields = ['fullName', 'shell', 'home', 'uid', 'primaryGroup', 'expiry'] as const;
type EditableField = (typeof editableFields)[number];

// A field's value as the form shows it (expiry: an ISO date or empty).
function getShownValue(account: Account, field: EditableField): string {
  if (field === 'expiry')
    return account.expiry === null ? '' : new Date(account.expiry * 86_400_000).toISOString().slice(0, 10);
  return String(account[field] ?? '');
}

// The value the API takes for what the form holds.
function getApiValue(field: EditableField, shown: string): unknown {
  if (field === 'uid') return Number(shown);
  if (field === 'expiry') return shown === '' ? null : Math.floor(Date.parse(`${shown}T00:00:00Z`) / 86_400_000);
  return shown;
}

// Starts the page (called when <body data-page="account">).
export function startAccountDetails(): void {
  const root = document.getElementById('account-details')!;
  let account = JSON.parse(root.dataset.account!) as Account;
  const login = account.login;
  const url = `/api/v1/accounts/${encodeURIComponent(login)}`;
  // The account as it was when the admin started editing each field.
  const editBase = new Map<EditableField, Account>();
  // Fields showing a conflict notice: they wait for the admin's choice, not for a blur.
  const inConflict = new Set<EditableField>();
  // The latest save of each field: an older one that answers late is ignored.
  const saveNumbers = new Map<EditableField, number>();
  let deleted = false;

  const input = (field: string) => root.querySelector<HTMLInputElement>(`[name="${field}"]`)!;
  const setState = (field: string, state: SaveState, message = '') => showSaveState(root, field, state, message);

  // A fresh copy from the server (after a 409).
  const reload = async () => {
    account = await callApi<Account>('GET', url);
    return account;
  };

  // Sends a change based on `base`; returns the new account or throws.
  const patch = (changes: Record<string, unknown>, base: Account) =>
    callApi<Account>('PATCH', url, { version: base.version, ...changes });

  const saveField = async (field: EditableField) => {
    const shown = input(field).value;
    const base = editBase.get(field) ?? account;
    const number = (saveNumbers.get(field) ?? 0) + 1;
    saveNumbers.set(field, number);
    setState(field, 'saving');
    try {
      const saved = await patch({ [field]: getApiValue(field, shown) }, base);
      if (saveNumbers.get(field) !== number) return;
      editBase.delete(field);
      applyAccount(saved);
      setState(field, 'saved');
    } catch (error) {
      if (saveNumbers.get(field) !== number) return;
      if (!(error instanceof ApiError) || error.status !== 409) {
        setState(field, 'error', (error as Error).message);
        return;
      }
      // Stale: if someone changed only other fields, apply ours on the fresh version;
      // if they changed this one, the admin decides.
      const fresh = await reload();
      if (getShownValue(fresh, field) === getShownValue(base, field)) {
        editBase.set(field, fresh);
        await saveField(field);
      } else {
        showConflict(field, fresh);
      }
    }
  };

  // The notice on a field someone else changed while the admin was editing it.
  const showConflict = (field: EditableField, theirs: Account) => {
    inConflict.add(field);
    setState(field, 'conflict');
    const slot = root.querySelector<HTMLElement>(`[data-error-for="${field}"]`)!;
    slot.replaceChildren();
    const notice = document.createElement('div');
    notice.className = 'conflict-notice';
    notice.setAttribute('role', 'alert');
    const text = document.createElement('p');
    text.textContent = t('account.conflict.text', { theirs: getShownValue(theirs, field), yours: input(field).value });
    const keepMine = Object.assign(document.createElement('button'), {
      type: 'button',
      className: 'button',
      textContent: t('account.conflict.saveMine'),
    });
    const takeTheirs = Object.assign(document.createElement('button'), {
      type: 'button',
      className: 'button button-quiet',
      textContent: t('account.conflict.keepTheirs'),
    });
    keepMine.addEventListener('click', () => {
      slot.replaceChildren();
      inConflict.delete(field);
      editBase.set(field, theirs);
      void saveField(field);
    });
    takeTheirs.addEventListener('click', () => {
      slot.replaceChildren();
      inConflict.delete(field);
      editBase.delete(field);
      input(field).value = getShownValue(account, field);
      setState(field, '');
    });
    notice.append(text, keepMine, takeTheirs);
    slot.append(notice);
  };

  // Shows a newer version of the account: fields nobody is editing follow it; a field being
  // edited that someone else changed gets the conflict notice.
  const applyAccount = (next: Account) => {
    const previous = account;
    account = next;
    root.dataset.version = next.version;
    for (const field of editableFields) {
      const element = input(field);
      const base = editBase.get(field);
      if (!base) {
        if (document.activeElement !== element || getShownValue(previous, field) === element.value)
          element.value = getShownValue(next, field);
      } else if (
        !inConflict.has(field) &&
        getShownValue(base, field) !== getShownValue(next, field) &&
        element.value !== getShownValue(next, field)
      ) {
        showConflict(field, next);
      }
    }
    root.querySelector<HTMLElement>('[data-action="lock"]')!.hidden = next.locked;
    root.querySelector<HTMLElement>('[data-action="unlock"]')!.hidden = !next.locked;
    root.querySelectorAll<HTMLInputElement>('input[name="group"]').forEach((box) => {
      box.checked = next.groups.includes(box.value);
    });
    // The core's view says the account's role in each standard group.
    root.querySelectorAll<HTMLElement>('[data-role-group]').forEach((row) => {
      const group = row.dataset.roleGroup!;
      const role = next.memberships.find((membership) => membership.group === group)?.role ?? 'none';
      const radio = row.querySelector<HTMLInputElement>(`input[value="${role}"]`);
      if (radio) radio.checked = true;
    });
  };

  // Editing starts at the first keystroke or choice: the version then is the base.
  for (const field of editableFields) {
    const element = input(field);
    element.addEventListener('input', () => {
      if (!editBase.has(field)) editBase.set(field, account);
    });
    element.addEventListener('change', () => {
      if (inConflict.has(field)) return;
      if (!editBase.has(field)) editBase.set(field, account);
      void saveField(field);
    });
  }

  // An action (not a field edit) applies to the latest version; a 409 only means an
  // unrelated change came first, so it is retried once on a fresh copy.
  const runAction = async (state: string, changes: Record<string, unknown>): Promise<Account | null> => {
    setState(state, 'saving');
    try {
      let result: Account;
      try {
        result = await patch(changes, account);
      } catch (error) {
        if (!(error instanceof ApiError) || error.status !== 409) throw error;
        result = await patch(changes, await reload());
      }
      setState(state, 'saved');
      return result;
    } catch (error) {
      setState(state, 'error', (error as Error).message);
      notify((error as Error).message, 'error');
      return null;
    }
  };

  root.addEventListener('click', async (event) => {
    const button = (event.target as Element).closest<HTMLButtonElement>('button[data-action]');
    if (!button) return;
    const action = button.dataset.action!;
    const changes = action === 'force-password-change' ? { forcePasswordChange: true } : { locked: action === 'lock' };
    const result = await runAction('password', changes);
    if (result) {
      applyAccount(result);
      notify(
        action === 'lock'
          ? t('account.locked', { login })
          : action === 'unlock'
            ? t('account.unlocked', { login })
            : t('account.mustChangePassword', { login }),
      );
    }
  });

  root.addEventListener('submit', async (event) => {
    const form = (event.target as Element).closest<HTMLFormElement>('form[data-action-form]');
    if (!form) return;
    event.preventDefault();
    const data = new FormData(form);
    const kind = form.dataset.actionForm;
    if (kind === 'password') {
      const result = await runAction('password', { password: String(data.get('password')) });
      if (result) {
        form.reset();
        applyAccount(result);
        notify(t('account.passwordChanged', { login }));
      }
    } else if (kind === 'rename') {
      const newLogin = String(data.get('newLogin')).trim();
      const result = await runAction('newLogin', {
        newLogin,
        moveHome: data.get('moveHome') === 'on',
        renameGroup: data.get('renameGroup') === 'on',
      });
      if (result) location.assign(`/accounts/${encodeURIComponent(result.login)}`);
    } else if (kind === 'delete') {
      const home = String(data.get('home')) as 'archive' | 'remove' | 'keep';
      // What the server said it would really do with the home (a directory the account does
      // not own is left in place), asked again now: the page may be old.
      const plan = await callApi<DeletionPlan>('GET', `${url}/deletion-plan?home=${home}`).catch(() => null);
      const endProcesses = data.get('endProcesses') === 'on';
      const sentences = `${describePlan(plan, home, account.home)} ${describeRest(plan, endProcesses)}`;
      if (!confirm(t('account.delete.confirm', { login, details: sentences }))) return;
      try {
        const query = `home=${home}${endProcesses ? '&endProcesses=true' : ''}`;
        const answer = await callApi<{ archive: string | null; home: HomePlan }>('DELETE', `${url}?${query}`);
        deleted = true;
        const said = answer.archive
          ? t('account.delete.archived', { archive: answer.archive })
          : (answer.home.warningMessage?.text ??
            (answer.home.action === 'keep' ? t('account.delete.kept', { home: answer.home.home }) : ''));
        showStatus(t('account.delete.done', { details: said }).trim(), answer.home.warningMessage ? 'error' : 'ok');
        setTimeout(() => location.assign('/accounts/'), 1500);
      } catch (error) {
        notify((error as Error).message, 'error');
      }
    }
  });

  // The group matrix: a role per standard group, membership of the others.
  root.addEventListener('change', async (event) => {
    const target = event.target as HTMLInputElement;
    if (target.type === 'radio' && target.name.startsWith('role:')) {
      const result = await runAction('groups', { roles: { [target.name.slice(5)]: target.value } });
      if (result) applyAccount(result);
    } else if (target.type === 'checkbox' && target.name === 'group') {
      const offered = new Set(
        [...root.querySelectorAll<HTMLInputElement>('input[name="group"]')].map((box) => box.value),
      );
      const checked = [...root.querySelectorAll<HTMLInputElement>('input[name="group"]:checked')].map(
        (box) => box.value,
      );
      const groups = [...account.groups.filter((group) => !offered.has(group)), ...checked];
      const result = await runAction('groups', { groups });
      if (result) applyAccount(result);
      else target.checked = !target.checked;
    }
  });

  const showStatus = (text: string, kind: 'ok' | 'error') => showPageStatus('account-status', text, kind);

  // Changes from anywhere arrive here.
  registerChart('account-details', (data) => {
    const { account: next } = data as { login: string; account: Account | null };
    if (next === null) {
      if (deleted) return;
      deleted = true;
      showStatus(t('account.deletedElsewhere', { login }), 'error');
      disableEditing(root);
      return;
    }
    if (next.version !== account.version) applyAccount(next);
  });
}
