import type { EventBus } from '../../../core/events/event-bus.ts';
import type { SessionStore, WebSession } from '../../sessions/session-store.ts';
import type { Locale } from '../../../../common/i18n/locales.ts';
import type { PushHub } from '../push-hub.ts';
import type { SessionPresence } from '../session-presence.ts';
import type { PushTopic, RenderPartial, StreamMessage } from '../stream-message.ts';

// The template of one "who is logged in" row, shared by the dashboard and its pushes.
export const sessionRowTemplate = 'dashboard/_session.njk';

// The dashboard's two lists: sessions with a page open now, and the others ("last seen").
export const sessionTargets = { connected: 'sessions', away: 'sessions-away' } as const;

// What the rows read of the presence (the dashboard counts its own viewer in before its page connects).
export type PresenceView = Pick<SessionPresence, 'isConnected' | 'getLastSeen'>;

// Counts `publicId` as connected too: the session whose page is being rendered.
export function withPresent(presence: PresenceView, publicId: string): PresenceView {
  return {
    isConnected: (id) => id === publicId || presence.isConnected(id),
    getLastSeen: (id) => (id === publicId ? Date.now() : presence.getLastSeen(id)),
  };
}

// What a session row shows; the same data for the page and for a push.
export function getSessionRowData(session: WebSession, presence: PresenceView): object {
  const connected = presence.isConnected(session.publicId);
  const seenWithPage = presence.getLastSeen(session.publicId) ?? 0;
  return {
    session: {
      publicId: session.publicId,
      login: session.login,
      fullName: session.fullName,
      isAdmin: session.isAdmin,
      address: session.address,
      since: new Date(session.createdAt),
      connected,
      lastSeen: new Date(Math.max(session.lastSeenAt, seenWithPage)),
    },
  };
}

// The sessions of each list: connected ones oldest first, the others last seen first.
export function getSessionLists(sessions: SessionStore, presence: PresenceView) {
  const all = sessions.list();
  const lastSeen = (session: WebSession) => Math.max(session.lastSeenAt, presence.getLastSeen(session.publicId) ?? 0);
  return {
    connected: all.filter((session) => presence.isConnected(session.publicId)),
    away: all.filter((session) => !presence.isConnected(session.publicId)).sort((a, b) => lastSeen(b) - lastSeen(a)),
  };
}

// Renders the rows of the given sessions in a language.
export async function renderSessionRows(
  list: WebSession[],
  presence: PresenceView,
  render: RenderPartial,
  locale: Locale,
): Promise<string> {
  const rows = await Promise.all(
    list.map((session) => render(sessionRowTemplate, getSessionRowData(session, presence), locale)),
  );
  return rows.join('');
}

// `sessions`: who uses this interface, for admins. A session moves to "connected now" when its
// first page opens a push socket, and back to "last seen" a moment after its last one closed
// (a session that never opens a page, a CLI call, shows there at the next load); a logout or
// expiry removes it; subscribing replaces both lists.
export function createSessionsTopic(
  sessions: SessionStore,
  events: EventBus,
  hub: PushHub,
  render: RenderPartial,
): PushTopic & { close(): void } {
  const { presence } = hub;
  const renderRow = (session: WebSession, locale: Locale) =>
    render(sessionRowTemplate, getSessionRowData(session, presence), locale);
  const stopPresence = presence.onChange(async (publicId, connected) => {
    const session = sessions.getByPublicId(publicId);
    if (!session) return;
    const target = `session-${publicId}`;
    await hub.publishRendered('sessions', async (locale) => {
      const html = await renderRow(session, locale);
      const move: StreamMessage = connected
        ? { action: 'append', target: sessionTargets.connected, html }
        : { action: 'prepend', target: sessionTargets.away, html };
      return [{ action: 'remove', target }, move];
    });
  });
  const stopClosed = events.on('session-closed', ({ data }) => {
    hub.publish('sessions', [{ action: 'remove', target: `session-${data.sessionId}` }]);
  });
  // A demotion or promotion shows in the row (its role).
  const stopChanged = events.on('session-changed', async ({ data }) => {
    const session = sessions.getByPublicId(data.sessionId);
    if (!session) return;
    await hub.publishRendered('sessions', async (locale) => [
      { action: 'replace', target: `session-${data.sessionId}`, html: await renderRow(session, locale) },
    ]);
  });
  return {
    name: 'sessions',
    canSubscribe: (viewer) => viewer.isAdmin,
    getSnapshot: async (_viewer, _name, locale) => {
      const lists = getSessionLists(sessions, presence);
      return [
        {
          action: 'update',
          target: sessionTargets.connected,
          html: await renderSessionRows(lists.connected, presence, render, locale),
        },
        {
          action: 'update',
          target: sessionTargets.away,
          html: await renderSessionRows(lists.away, presence, render, locale),
        },
      ];
    },
    close() {
      stopPresence();
      stopClosed();
      stopChanged();
    },
  };
}
