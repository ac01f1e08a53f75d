import fp from 'fastify-plugin';
import { PushHub } from '../push/push-hub.ts';
import { createSessionsTopic } from '../push/topics/sessions-topic.ts';
import { createAccountsSummaryTopic } from '../push/topics/accounts-summary-topic.ts';
import { createAccountsTopic } from '../push/topics/accounts-topic.ts';
import { createAccountDetailsTopic } from '../push/topics/account-details-topic.ts';
import { createAuditTopic } from '../push/topics/audit-topic.ts';
import { createImportProgressTopic } from '../push/topics/import-progress-topic.ts';
import { createGroupsTopics } from '../push/topics/groups-topic.ts';
import { createGroupShareTopic } from '../push/topics/group-share-topic.ts';
import { createStatusTopics } from '../push/topics/status-topic.ts';
import { createVolumesTopic } from '../push/topics/volumes-topic.ts';
import { createEventsTopic } from '../push/topics/events-topic.ts';
import { getMediaDir } from '../volumes/volume-row.ts';
import { auditPageSize } from '../routes/audit.ts';
import type { Locale } from '../../../common/i18n/locales.ts';

// The push hub with its topics; the sockets of a session that ends are closed.
export default fp(
  async (app) => {
    const { maxSocketsPerSession: perSession, maxSocketsPerAddress: perAddress } = app.config.push;
    const hub = new PushHub(app.log, { maxSockets: { perSession, perAddress } });
    app.decorate('hub', hub);
    // A partial in the language of the pages it goes to (the views' `locale`).
    const render = (template: string, data: object, locale: Locale) =>
      app.view(template, { ...data, locale }) as Promise<string>;
    const sessionsTopic = createSessionsTopic(app.sessions, app.core.events, hub, render);
    const accountsSummaryTopic = createAccountsSummaryTopic(app.core.accounts, app.core.events, hub, render);
    const accountsTopic = createAccountsTopic(app.core.accounts, app.accountList, app.core.events, hub, render);
    const accountDetailsTopic = createAccountDetailsTopic(app.core.accounts, app.core.events, hub, render);
    const auditTopic = createAuditTopic(app.core.audit, app.core.events, hub, render, auditPageSize);
    const status = createStatusTopics(app.core.status, hub, app.core.events);
    const topics = [
      sessionsTopic,
      accountsSummaryTopic,
      accountsTopic,
      accountDetailsTopic,
      auditTopic,
      createImportProgressTopic(),
      ...createGroupsTopics(app.core.accounts, app.core.events, hub, render),
      createGroupShareTopic(app.core.shares, app.core.events, hub),
      createVolumesTopic(app.core.volumes, getMediaDir(app.core.root), app.core.events, hub, render),
      createEventsTopic(app.core.journal, hub, render),
    ];
    [...topics, ...status.topics].forEach((topic) => hub.registerTopic(topic));
    const stopClosing = app.core.events.on('session-closed', ({ data }) => hub.closeSession(data.sessionId));
    // A session that lost rights (demoted) loses its sockets too: what they follow was chosen
    // with the old rights; the page reconnects and subscribes as what it now is.
    const stopDowngrading = app.core.events.on('session-changed', ({ data }) => {
      if (!data.isAdmin) hub.closeSession(data.sessionId);
    });
    app.addHook('preClose', async () => hub.close());
    app.addHook('onClose', async () => {
      topics.forEach((topic) => topic.close());
      status.close();
      stopClosing();
      stopDowngrading();
    });
  },
  { name: 'licorn-push', dependencies: ['licorn-sessions', 'licorn-views', 'licorn-account-list'] },
);
