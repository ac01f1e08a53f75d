// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { startChangePasswordPage } from '../../web/login/change-password-page.ts';

beforeEach(() => {
  document.body.innerHTML = `
    <form method="post" action="/login/password" data-login="alice">
      <input name="newPassword" type="password"><meter id="change-password-strength" min="0" max="4" value="0"></meter>
      <p id="change-password-strength-text"></p>
      <input name="confirmPassword" type="password">
    </form>`;
  startChangePasswordPage();
});

const type = (name: string, value: string) => {
  const input = document.querySelector<HTMLInputElement>(`input[name="${name}"]`)!;
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
  return input;
};

describe('the change-password page', () => {
  it('rates the new password as it is typed, against the login', () => {
    type('newPassword', 'alice');
    const hint = () => document.getElementById('change-password-strength-text')!.textContent;
    expect(hint()).toBe('Too short: at least 8 characters.');
    type('newPassword', 'Alice-in-2026-wonder');
    expect(hint()).toBe('Too close to the login.');
    expect((document.getElementById('change-password-strength') as HTMLMeterElement).value).toBe(1);
    type('newPassword', 'Quiet-harbour-2026');
    expect(hint()).toBe('Strong.');
  });

  it('marks the second field while the two differ', () => {
    type('newPassword', 'Quiet-harbour-2026');
    const confirm = type('confirmPassword', 'Quiet-harbour-2025');
    expect(confirm.validationMessage).toBe('The two new passwords differ');
    type('confirmPassword', 'Quiet-harbour-2026');
    expect(confirm.validationMessage).toBe('');
  });
});
