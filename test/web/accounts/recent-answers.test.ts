import { describe, expect, it } from 'vitest';
import { RecentAnswers } from '../../../server/web/accounts/recent-answers.ts';

describe('RecentAnswers', () => {
  it('keeps the latest answers of a scope, drops the oldest, and forgets them all in a new scope', async () => {
    const answers = new RecentAnswers<string>(2);
    let made = 0;
    const make = (text: string) => async () => `${text}${(made += 1)}`;
    expect(await answers.get('g1', 'a', make('a'))).toBe('a1');
    expect(await answers.get('g1', 'a', make('a'))).toBe('a1');
    expect(await answers.get('g1', 'b', make('b'))).toBe('b2');
    // 'a' was used after 'b': 'b' is the oldest when 'c' comes.
    expect(await answers.get('g1', 'a', make('a'))).toBe('a1');
    expect(await answers.get('g1', 'c', make('c'))).toBe('c3');
    expect(await answers.get('g1', 'a', make('a'))).toBe('a1');
    expect(await answers.get('g1', 'b', make('b'))).toBe('b4');
    expect(await answers.get('g2', 'a', make('a'))).toBe('a5');
  });

  it('does not keep an answer whose scope changed while it was made', async () => {
    const answers = new RecentAnswers<string>(4);
    let finish = (_text: string) => {};
    const slow = answers.get('g1', 'a', () => new Promise<string>((resolve) => (finish = resolve)));
    expect(await answers.get('g2', 'b', async () => 'b')).toBe('b');
    finish('old a');
    expect(await slow).toBe('old a');
    expect(await answers.get('g2', 'a', async () => 'new a')).toBe('new a');
  });
});
