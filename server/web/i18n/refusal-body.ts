import type { Locale } from '../../../common/i18n/locales.ts';
import type { ErrorCode } from '../../core/errors.ts';
import { type CoreMessage, renderMessage } from '../../core/messages.ts';
import type { ErrorBody } from '../plugins/errors.ts';

// Sentences already said, by language, key and parameters: at most maxKept, forgotten all
// at once when full (the parameters of these refusals are small numbers: a few dozen in use).
const said = new Map<string, string>();
const maxKept = 512;

// The API's error body of a refusal a client may repeat in a loop (a login past its throttle,
// an upgrade past its connection rate), its sentence rendered once per language and
// parameters: i18next takes 16–21 µs a sentence, where the whole refusal cost ~40 µs when it
// was a fixed English line (measured by the twenty-second session's helper). No CoreError
// either: its constructor renders the English, which this path never uses.
export function getRefusalBody(code: ErrorCode, field: string | null, message: CoreMessage, locale: Locale): ErrorBody {
  const key = `${locale}\u0000${message.key}\u0000${JSON.stringify(message.params)}`;
  let text = said.get(key);
  if (text === undefined) {
    if (said.size >= maxKept) said.clear();
    text = renderMessage(message, locale);
    said.set(key, text);
  }
  return { code, field, message: text, messageKey: message.key };
}
