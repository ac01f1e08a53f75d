import type { Locale } from '../../../common/i18n/locales.ts';

// The stream actions a push frame may carry (DESIGN.md, "Push protocol").
export const streamActions = [
  'append',
  'prepend',
  'before',
  'after',
  'replace',
  'update',
  'remove',
  'sample',
  'notify',
] as const;

export type StreamAction = (typeof streamActions)[number];

// One message of a push frame; a frame is a JSON array of these.
export interface StreamMessage {
  action: StreamAction;
  target: string;
  html?: string;
  data?: unknown;
}

// Who is on the other end of a socket; every message is filtered by what they may see.
export interface Viewer {
  sessionId: string;
  publicId: string;
  login: string;
  isAdmin: boolean;
}

// A subject browsers follow. `getSnapshot` renders its whole current state: it is sent on
// subscribe, so a socket that reconnects re-syncs whatever it missed. A name ending in `/`
// is a family of topics (`account/` serves `account/alice`, `account/bob`…): the full name
// subscribed to is passed along, and the language of the subscriber's page.
export interface PushTopic {
  name: string;
  canSubscribe(viewer: Viewer, name: string): boolean;
  getSnapshot(viewer: Viewer, name: string, locale: Locale): Promise<StreamMessage[]>;
  // Told when a socket starts or stops following `name` (unsubscribed, or closed): a topic
  // whose source costs something runs it only while followed.
  acquire?(name: string): void;
  release?(name: string): void;
}

// Renders a view partial (app.view) in a language, as the topics push them.
export type RenderPartial = (template: string, data: object, locale: Locale) => Promise<string>;
