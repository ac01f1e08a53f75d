import { describe, expect, it } from 'vitest';
import { say } from '../../../server/core/messages.ts';
import { getRefusalBody } from '../../../server/web/i18n/refusal-body.ts';

// The body of a refusal a script may repeat: said once per language and parameters, then kept.
describe('getRefusalBody', () => {
  it("says the message in each reader's language, with its key, for each parameter", () => {
    const message = (seconds: number) => say('web.webSockets.tooFastForSession', { seconds });
    expect(getRefusalBody('busy', null, message(3), 'en')).toEqual({
      code: 'busy',
      field: null,
      message: 'WebSocket connections opened too fast for this session: try again in 3 s',
      messageKey: 'web.webSockets.tooFastForSession',
    });
    expect(getRefusalBody('busy', null, message(3), 'fr').message).toBe(
      'Connexions WebSocket ouvertes trop vite pour cette session\u00a0: réessayez dans 3\u00a0s',
    );
    // Kept by language and parameters: neither answers with another's words.
    expect(getRefusalBody('busy', null, message(4), 'en').message).toMatch(/in 4 s$/);
    expect(getRefusalBody('busy', null, message(3), 'en').message).toMatch(/in 3 s$/);
  });

  it('still says the right sentence after more than it keeps', () => {
    for (let seconds = 1; seconds <= 2000; seconds++) {
      const body = getRefusalBody('busy', 'password', say('web.login.tooMany', { minutes: seconds }), 'en');
      expect(body.message).toBe(`Too many failed logins; try again in ${seconds} min.`);
    }
  });
});
