import { describe, expect, it } from 'vitest';
import { SearchIndex } from '../../../server/web/accounts/search-index.ts';

// A seeded generator (mulberry32): the same random inputs at every run, many of them.
function getRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Few letters, so that words repeat within and across texts (several hits per text).
const letters = 'abé1 ';
const getText = (random: () => number, length: number) =>
  Array.from({ length }, () => letters[Math.floor(random() * letters.length)]).join('');

describe('the search index', () => {
  it('finds exactly the texts that includes() finds, on random texts and words', () => {
    const random = getRandom(18);
    for (let round = 0; round < 300; round += 1) {
      const texts = Array.from({ length: Math.floor(random() * 40) }, () => getText(random, Math.floor(random() * 12)));
      const index = new SearchIndex(texts);
      for (let probe = 0; probe < 20; probe += 1) {
        const word = getText(random, 1 + Math.floor(random() * 4)).replace(/ /g, '') || 'a';
        const expected = texts.map((text) => (text.includes(word) ? 1 : 0));
        expect([...index.find(word)], JSON.stringify({ texts, word })).toEqual(expected);
      }
      // The list keeps these instead of its own copies: each must be its text exactly.
      expect(texts.map((_, slot) => index.getText(slot))).toEqual(texts);
    }
  });

  it('finds a word at the very start and end of the joined texts, and in empty lists and texts', () => {
    expect([...new SearchIndex(['bob', '', 'bo', 'ob bob']).find('bob')]).toEqual([1, 0, 0, 1]);
    expect([...new SearchIndex(['', '']).find('b')]).toEqual([0, 0]);
    expect([...new SearchIndex([]).find('b')]).toEqual([]);
    // A word never spans two texts (they are joined with a line feed).
    expect([...new SearchIndex(['ab', 'cd']).find('bc')]).toEqual([0, 0]);
  });
});
