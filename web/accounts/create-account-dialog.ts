// The "New account" dialog: suggests the login from the full name, rates the password,
// asks the server to check the form as the admin types (debounced), shows each problem next
// to its field, never clears the form on an error, and shows a generated password once.
import { callApi, ApiError, notify } from '../api.ts';
import { ratePassword } from './password-strength.ts';
import { suggestLogin } from './suggest-login.ts';
import { t } from '../i18n.ts';

interface Problem {
  field: string;
  message: string;
}

// Milliseconds of quiet typing before the form is checked by the server.
const checkDelayMs = 250;

// Wires the dialog (called on the accounts page).
export function startCreateAccountDialog(): void {
  const dialog = document.getElementById('create-account') as HTMLDialogElement | null;
  if (!dialog) return;
  const form = document.getElementById('create-account-form') as HTMLFormElement;
  const done = document.getElementById('create-account-done')!;
  const input = (name: string) => form.elements.namedItem(name) as HTMLInputElement;
  let loginTouched = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let checkNumber = 0;

  document.querySelectorAll('[data-open-dialog="create-account"]').forEach((button) =>
    button.addEventListener('click', () => {
      form.hidden = false;
      done.hidden = true;
      dialog.showModal();
      input('fullName').focus();
    }),
  );
  dialog.addEventListener('click', (event) => {
    if ((event.target as Element).closest('[data-close-dialog]')) dialog.close();
  });

  // The body the API takes, from the form.
  const readForm = (withPassword: boolean) => {
    const data = new FormData(form);
    const body: Record<string, unknown> = {
      login: String(data.get('login') ?? ''),
      fullName: String(data.get('fullName') ?? ''),
      shell: String(data.get('shell') ?? ''),
      primaryGroup: String(data.get('primaryGroup') ?? ''),
      system: data.get('system') === 'yes',
    };
    const home = String(data.get('home') ?? '').trim();
    if (home) body.home = home;
    const groups = data.getAll('group').map(String);
    const roles: Record<string, string> = {};
    for (const [key, value] of data)
      if (key.startsWith('role:') && value !== 'none') roles[key.slice(5)] = String(value);
    if (groups.length > 0) body.groups = groups;
    if (Object.keys(roles).length > 0) body.roles = roles;
    const password = String(data.get('password') ?? '');
    if (withPassword && password !== '') body.password = password;
    return body;
  };

  const showProblems = (problems: Problem[]) => {
    form.querySelectorAll<HTMLElement>('[data-error-for]').forEach((slot) => {
      const problem = problems.find(
        (item) =>
          item.field === slot.dataset.errorFor || (slot.dataset.errorFor === 'groups' && item.field === 'group'),
      );
      slot.textContent = problem?.message ?? '';
      const field = form.elements.namedItem(slot.dataset.errorFor!) as HTMLInputElement | null;
      if (field instanceof HTMLElement) field.toggleAttribute('aria-invalid', !!problem);
    });
  };

  // Problems the browser can tell by itself, added to the server's.
  const getLocalProblems = (): Problem[] => {
    const password = input('password').value;
    return password !== input('password2').value && input('password2').value !== ''
      ? [{ field: 'password2', message: t('password.differ') }]
      : [];
  };

  const check = async () => {
    const number = ++checkNumber;
    const body = readForm(true);
    // The login is only checked once there is one to check.
    if (body.login === '') delete body.login;
    try {
      const { problems } = await callApi<{ problems: Problem[] }>('POST', '/api/v1/accounts/validate', body);
      if (number === checkNumber) showProblems([...problems, ...getLocalProblems()]);
    } catch (error) {
      if (error instanceof ApiError && error.field)
        showProblems([{ field: error.field, message: error.message }, ...getLocalProblems()]);
    }
  };
  const scheduleCheck = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void check(), checkDelayMs);
  };

  form.addEventListener('input', (event) => {
    const target = event.target as HTMLInputElement;
    if (target.name === 'login') loginTouched = target.value !== '';
    if (target.name === 'fullName' && !loginTouched) input('login').value = suggestLogin(target.value);
    if (target.name === 'password' || target.name === 'login') {
      const rating = ratePassword(input('password').value, input('login').value);
      (document.getElementById('new-password-strength') as HTMLMeterElement).value = rating.score;
      document.getElementById('new-password-strength-text')!.textContent = rating.label;
    }
    scheduleCheck();
  });
  form.addEventListener('change', scheduleCheck);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearTimeout(timer);
    const local = getLocalProblems();
    if (local.length > 0) {
      showProblems(local);
      return;
    }
    const submit = document.getElementById('create-account-submit') as HTMLButtonElement;
    submit.disabled = true;
    try {
      const answer = await callApi<{ account: { login: string }; generatedPassword: string | null }>(
        'POST',
        '/api/v1/accounts',
        readForm(true),
      );
      done.querySelector('[data-created-login]')!.textContent = answer.account.login;
      const generated = done.querySelector<HTMLElement>('[data-generated]')!;
      generated.hidden = answer.generatedPassword === null;
      document.getElementById('generated-password')!.textContent = answer.generatedPassword ?? '';
      form.reset();
      loginTouched = false;
      showProblems([]);
      form.hidden = true;
      done.hidden = false;
    } catch (error) {
      // The form keeps everything typed; the problem shows next to its field.
      if (error instanceof ApiError && error.field) showProblems([{ field: error.field, message: error.message }]);
      else notify((error as Error).message, 'error');
    } finally {
      submit.disabled = false;
    }
  });

  done.querySelector('[data-copy-password]')?.addEventListener('click', async () => {
    await navigator.clipboard
      ?.writeText(document.getElementById('generated-password')!.textContent ?? '')
      .catch(() => {});
    notify(t('password.copied'));
  });
}
