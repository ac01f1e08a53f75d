import { t } from '../i18n.ts';

// How strong a password looks, 0 (empty or refused) to 4, with a word for it. The server's
// policy (8 characters, not the login, two kinds of characters) is the one that decides;
// this only guides the typing.
export function ratePassword(password: string, login: string): { score: number; label: string } {
  if (password === '') return { score: 0, label: t('password.empty') };
  const kinds = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((pattern) => pattern.test(password)).length;
  if (password.length < 8) return { score: 1, label: t('password.tooShort') };
  if (login && password.toLowerCase().includes(login.toLowerCase()))
    return { score: 1, label: t('password.nearLogin') };
  if (kinds < 2) return { score: 1, label: t('password.kinds') };
  if (password.length >= 14 && kinds >= 3) return { score: 4, label: t('password.strong') };
  if (password.length >= 12 || kinds >= 3) return { score: 3, label: t('password.good') };
  return { score: 2, label: t('password.fair') };
}
