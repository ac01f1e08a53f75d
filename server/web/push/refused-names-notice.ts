import type { Locale } from '../../../common/i18n/locales.ts';
import { getTranslator } from '../../../common/i18n/translator.ts';
import type { StreamMessage } from './stream-message.ts';

// Names a notice quotes at most, each cut to this many characters: a socket chooses them.
const shownNames = 3;
const shownLength = 64;

// Escapes text for an HTML fragment built outside a template.
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

// The notice a socket is sent when it asks for topics it may not follow, in its page's
// language: the first names quoted (escaped, cut), and how many more.
export function getRefusedNamesNotice(names: string[], locale: Locale): StreamMessage {
  const t = getTranslator(locale, 'pages');
  const shown = names
    .slice(0, shownNames)
    .map((name) => t('push.quoted', { name: name.slice(0, shownLength) }))
    .join(', ');
  const more = names.length - shownNames;
  const text = more > 0 ? t('push.refusedMore', { names: shown, count: more }) : t('push.refused', { names: shown });
  return { action: 'notify', target: 'notifications', html: `<p class="notice notice-error">${escapeHtml(text)}</p>` };
}
