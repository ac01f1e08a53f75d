import { ratePassword } from '../accounts/password-strength.ts';
import { t } from '../i18n.ts';

// Starts the change-password page (called when <body data-page="change-password">): a
// strength meter under the new password, and the browser's own "passwords differ" message on
// the second field before the form is sent. The server checks both again.
export function startChangePasswordPage(): void {
  const form = document.querySelector<HTMLFormElement>('form[action="/login/password"]');
  if (!form) return;
  const login = form.dataset.login ?? '';
  const newPassword = form.elements.namedItem('newPassword') as HTMLInputElement;
  const confirmPassword = form.elements.namedItem('confirmPassword') as HTMLInputElement;
  const meter = document.getElementById('change-password-strength') as HTMLMeterElement | null;
  const hint = document.getElementById('change-password-strength-text');
  form.addEventListener('input', () => {
    const rating = ratePassword(newPassword.value, login);
    if (meter) meter.value = rating.score;
    if (hint) hint.textContent = newPassword.value === '' ? '' : rating.label;
    const differ = confirmPassword.value !== '' && confirmPassword.value !== newPassword.value;
    confirmPassword.setCustomValidity(differ ? t('password.newDiffer') : '');
  });
}
