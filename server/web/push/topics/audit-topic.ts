import type { EventBus } from '../../../core/events/event-bus.ts';
import type { AuditLog } from '../../../core/audit/audit-log.ts';
import type { PushHub } from '../push-hub.ts';
import type { PushTopic, RenderPartial } from '../stream-message.ts';

// `audit`: the Audit page, for admins. Each recorded entry is prepended; subscribing
// replaces the list with the latest entries (a reconnecting page catches up).
export function createAuditTopic(
  audit: AuditLog,
  events: EventBus,
  hub: PushHub,
  render: RenderPartial,
  limit: number,
): PushTopic & { close(): void } {
  const stop = events.on('audit-recorded', ({ data }) =>
    hub.publishRendered('audit', async (locale) => [
      { action: 'prepend', target: 'audit-entries', html: await render('audit/_entry.njk', { entry: data }, locale) },
    ]),
  );
  return {
    name: 'audit',
    canSubscribe: (viewer) => viewer.isAdmin,
    getSnapshot: async (_viewer, _name, locale) => [
      {
        action: 'update',
        target: 'audit-entries',
        html: await render('audit/_entries.njk', { entries: await audit.readRecent(limit) }, locale),
      },
    ],
    close: stop,
  };
}
