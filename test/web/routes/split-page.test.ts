import { describe, expect, it } from 'vitest';
import { SplitPage } from '../../../server/web/routes/split-page.ts';

describe('SplitPage', () => {
  const slot = 'SLOT'.padEnd(8, '_');

  it('fills every slot with the value, as UTF-8 bytes around it', () => {
    const page = new SplitPage(`<meta content="${slot}"><p>Connexion réussie</p><input value="${slot}">`, slot);
    const filled = page.fill('abcdefgh');
    expect(filled.toString('utf8')).toBe('<meta content="abcdefgh"><p>Connexion réussie</p><input value="abcdefgh">');
    expect(page.fill('12345678').toString('utf8')).toContain('value="12345678"');
  });

  it('answers a page without slots as it is', () => {
    expect(new SplitPage('<p>plain</p>', slot).fill('abcdefgh').toString()).toBe('<p>plain</p>');
  });

  it('refuses a value of another length than the slot', () => {
    expect(() => new SplitPage(`<p>${slot}</p>`, slot).fill('short')).toThrow(/8 long/);
  });

  it('refuses a value that is not ASCII, whose low bytes could write markup', () => {
    const page = new SplitPage(`<p>${slot}</p>`, slot);
    expect(() => page.fill('abcdefg\u013c')).toThrow(/ASCII/);
    expect(page.fill('abcdefgh').toString()).toBe('<p>abcdefgh</p>');
  });
});
