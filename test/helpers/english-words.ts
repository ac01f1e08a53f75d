import { catalogues, type Catalogue } from '../../common/i18n/catalogues.ts';
import type { Namespace } from '../../common/i18n/locales.ts';

// The English sentences of a namespace that French says otherwise, as the pieces a page could
// show (split around {{placeholders}}, at least 4 characters with a letter): a French page
// showing one of them shows English.
export function getEnglishOnlyPieces(namespace: Namespace = 'pages'): string[] {
  const pieces = new Set<string>();
  const walk = (english: Catalogue, french: Catalogue | undefined) => {
    for (const [key, value] of Object.entries(english)) {
      const other = french?.[key];
      if (typeof value !== 'string') {
        walk(value, typeof other === 'object' ? other : undefined);
        continue;
      }
      if (value === other) continue;
      for (const piece of value.split(/\{\{[^}]*\}\}/)) {
        const trimmed = piece.replace(/^[\s,.:;!?()“”"'–—…+←-]+|[\s,.:;!?()“”"'–—…+←-]+$/gu, '');
        // Same words in both (a piece of a sentence that differs elsewhere) are no sign.
        if (
          trimmed.length >= 4 &&
          /\p{L}/u.test(trimmed) &&
          !JSON.stringify(catalogues.fr[namespace]).includes(trimmed)
        )
          pieces.add(trimmed);
      }
    }
  };
  walk(catalogues.en[namespace], catalogues.fr[namespace]);
  return [...pieces];
}

// Which of `pieces` a text shows, as whole words.
export function findPieces(text: string, pieces: string[]): string[] {
  const flat = text.replace(/\s+/g, ' ');
  return pieces.filter((piece) => {
    const escaped = piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return new RegExp(`(^|[^\\p{L}])${escaped}($|[^\\p{L}])`, 'u').test(flat);
  });
}
