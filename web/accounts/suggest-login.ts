// Letters that Unicode decomposition does not turn into ASCII.
const extraLetters: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
};

// A login from a full name, as Licorn suggested it: "Bruno Lefèvre" → "bruno.lefevre".
// Accents are transliterated; anything a login may not hold is dropped; at most 32 characters.
export function suggestLogin(fullName: string): string {
  const ascii = fullName
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[ßæœøłđðþı]/g, (letter) => extraLetters[letter] ?? '');
  const words = ascii.split(/[^a-z0-9]+/).filter(Boolean);
  const login = words.join('.').replace(/^[^a-z_]+/, '');
  return login.slice(0, 32).replace(/[.-]+$/, '');
}
