import { serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { escapePageText, translatePage } from '../../../server/web/i18n/page-text.ts';

// Whether V8 holds `text` as a one-byte string: its serializer tags one-byte strings '"' and
// two-byte ones 'c' (the byte after the version header).
const isOneByte = (text: string) => serialize(text)[2] === '"'.charCodeAt(0);

describe('escapePageText', () => {
  it('writes characters beyond Latin-1 as entities and escapes HTML', () => {
    expect(escapePageText('Manage this server’s <accounts> & “groups”')).toBe(
      'Manage this server&#8217;s &lt;accounts&gt; &amp; &#8220;groups&#8221;',
    );
  });

  // A two-byte page costs its writes to the socket twice the memory (bench/README.md).
  it('answers a one-byte string for a text that held a character beyond Latin-1', () => {
    const text = 'Manage this server’s accounts';
    expect(isOneByte(text)).toBe(false);
    expect(isOneByte(escapePageText(text))).toBe(true);
    expect(isOneByte(escapePageText(`${text} é`))).toBe(true);
  });

  it("gives the login page's English words as one-byte strings", () => {
    expect(isOneByte(translatePage('en', 'login.about'))).toBe(true);
    expect(isOneByte(translatePage('en', 'me.tokens.made', { name: 'ci' }))).toBe(true);
  });
});
