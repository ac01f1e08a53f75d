import type { EventBus } from '../../../core/events/event-bus.ts';
import type { SharesService } from '../../../core/shares/shares-service.ts';
import type { PushHub } from '../push-hub.ts';
import type { PushTopic, StreamMessage } from '../stream-message.ts';

// What the group's page shows of its share's repair: entries seen and corrected, and
// whether it runs, finished or was cancelled.
export interface ShareRepairSample {
  name: string;
  scanned: number;
  fixed: number;
  running: boolean;
  done: boolean;
  cancelled: boolean;
}

const sample = (data: ShareRepairSample): StreamMessage[] => [{ action: 'sample', target: 'group-share', data }];

// `group-share/<name>`: the progress of the repair of a standard group's share (a
// permissive switch, a repair asked, one resumed at start), for admins on the group's page.
// The snapshot is the repair running now (or none), so a page opened mid-repair shows it.
export function createGroupShareTopic(
  shares: SharesService,
  events: EventBus,
  hub: PushHub,
): PushTopic & { close(): void } {
  const stop = events.on('group-share-progress', ({ data }) => {
    const running = !data.done && !data.cancelled;
    hub.publish(`group-share/${data.name}`, sample({ ...data, running }));
  });
  return {
    name: 'group-share/',
    canSubscribe: (viewer) => viewer.isAdmin,
    getSnapshot: async (_viewer, topic) => {
      const name = topic.slice('group-share/'.length);
      const repair = shares.getRepair(name);
      const { scanned, fixed } = repair ?? { scanned: 0, fixed: 0 };
      return sample({ name, scanned, fixed, running: repair !== null, done: false, cancelled: false });
    },
    close: stop,
  };
}
