import type { EventBus } from '../../../core/events/event-bus.ts';
import type { SessionStore, WebSession } from '../../sessions/session-store.ts';
import type { PushHub } from '../push-hub.ts';
import type { PushTopic, RenderPartial } from '../stream-message.ts';

// The template of one "who is logged in" row, shared by the dashboard and its pushes.
export const sessionRowTemplate = 'dashboard/_session.njk';

// What a session row shows; the same data for the page and for a push.
export function getSessionRowData(session: WebSession): object {
  return {
    session: {
      publicId: session.publicId,
      login: session.login,
      fullName: session.fullName,
      isAdmin: session.isAdmin,
      address: session.address,
      since: new Date(session.createdAt),
    },
  };
}

// Renders every open session's row, oldest first.
export async function renderSessionRows(sessions: SessionStore, render: RenderPartial): Promise<string> {
  const rows = await Promise.all(
    sessions.list().map((session) => render(sessionRowTemplate, getSessionRowData(session))),
  );
  return rows.join('');
}

// `sessions`: who is logged in to this interface, for admins. A login appends a row, a
// logout or expiry removes it; subscribing replaces the whole list.
export function createSessionsTopic(
  sessions: SessionStore,
  events: EventBus,
  hub: PushHub,
  render: RenderPartial,
): PushTopic & { close(): void } {
  const stopOpened = events.on('session-opened', async ({ data }) => {
    const session = sessions.getByPublicId(data.sessionId);
    if (!session) return;
    const html = await render(sessionRowTemplate, getSessionRowData(session));
    hub.publish('sessions', [{ action: 'append', target: 'sessions', html }]);
  });
  const stopClosed = events.on('session-closed', ({ data }) => {
    hub.publish('sessions', [{ action: 'remove', target: `session-${data.sessionId}` }]);
  });
  // A demotion or promotion shows in the row (its role).
  const stopChanged = events.on('session-changed', async ({ data }) => {
    const session = sessions.getByPublicId(data.sessionId);
    if (!session) return;
    const html = await render(sessionRowTemplate, getSessionRowData(session));
    hub.publish('sessions', [{ action: 'replace', target: `session-${data.sessionId}`, html }]);
  });
  return {
    name: 'sessions',
    canSubscribe: (viewer) => viewer.isAdmin,
    getSnapshot: async () => [
      { action: 'update', target: 'sessions', html: await renderSessionRows(sessions, render) },
    ],
    close() {
      stopOpened();
      stopClosed();
      stopChanged();
    },
  };
}
