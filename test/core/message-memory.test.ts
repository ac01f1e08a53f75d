import { describe, expect, it } from 'vitest';
import { CoreError } from '../../server/core/errors.ts';
import { quoted, renderMessage, say } from '../../server/core/messages.ts';
import { describeError } from '../../server/web/plugins/errors.ts';

// Sentences with numbers only, said again and again by refusals in a loop, come from memory.
describe("renderMessage's memory", () => {
  it("says the message in each reader's language, with its key, for each parameter", () => {
    const message = (seconds: number) => say('web.webSockets.tooFastForSession', { seconds });
    // As every refusal's body is made (describeError): the remembered words in it.
    expect(describeError(new CoreError('busy', message(3)), 'req-1', 'en').body).toEqual({
      code: 'busy',
      field: null,
      message: 'WebSocket connections opened too fast for this session: try again in 3 s',
      messageKey: 'web.webSockets.tooFastForSession',
    });
    expect(renderMessage(message(3), 'fr')).toBe(
      'Connexions WebSocket ouvertes trop vite pour cette session\u00a0: réessayez dans 3\u00a0s',
    );
    // Kept by language and parameters: neither answers with another's words.
    expect(renderMessage(message(4), 'en')).toMatch(/in 4 s$/);
    expect(renderMessage(message(3), 'en')).toMatch(/in 3 s$/);
  });

  it('still says the right sentence after more than it keeps', () => {
    for (let minutes = 1; minutes <= 2000; minutes++) {
      const text = renderMessage(say('web.login.tooMany', { minutes }), 'en');
      expect(text).toBe(`Too many failed logins; try again in ${minutes} min.`);
    }
  });

  it('says a sentence naming a value afresh each time, never from another value', () => {
    const named = (login: string) => renderMessage(say('accounts.notFound', { login: quoted(login) }), 'en');
    expect(named('alice')).toBe('No account named "alice"');
    expect(named('bob')).toBe('No account named "bob"');
  });
});
