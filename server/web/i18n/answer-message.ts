import type { Locale } from '../../../common/i18n/locales.ts';
import { type CoreMessage, renderMessage } from '../../core/messages.ts';

// A core message as the API answers it: its key and parameters (for code that says it in its
// own words), and `text`, the sentence in the request's language (the browser's confirmations,
// the CLI, which sends the terminal's language). The English sits beside it for scripts.
export interface AnsweredMessage extends CoreMessage {
  text: string;
}

// The message with its text in `locale`; null stays null.
export function answerMessage(message: CoreMessage | null, locale: Locale): AnsweredMessage | null {
  return message && { ...message, text: renderMessage(message, locale) };
}
