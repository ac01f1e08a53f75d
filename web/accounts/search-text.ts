// Lowercase without accents: the same rule as the server's getSearchText, so that a pushed
// row is kept or dropped by the filter exactly as the server would have.
export function normalizeSearch(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}

// Whether a row's search text holds every word of the filter.
export function matchesFilter(search: string, filter: string): boolean {
  return normalizeSearch(filter)
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => search.includes(word));
}
