import type { EventBus } from '../../../core/events/event-bus.ts';
import type { StatusMonitor } from '../../../core/status/status-monitor.ts';
import { packHistory } from '../../../../common/pack-history.ts';
import type { PushHub } from '../push-hub.ts';
import type { PushTopic, StreamMessage } from '../stream-message.ts';

// The volume events after which the filesystems' bars are out of date.
const filesystemEvents = ['volume-mounted', 'volume-unmounted', 'volume-removed', 'volume-usage'] as const;

// `status`: the live figures, for admins. A subscriber gets the last 10 minutes at once
// (packed: each metric's name once), then one `sample` message per tick with the new sample
// only (a reconnecting page gets the history again, so it misses nothing). The monitor
// samples only while the topic has subscribers. The filesystems' bars also follow the
// volumes' events: a mount, an unmount or usage moving sends the filesystems' figures at
// once (`status-filesystems`), not at the next tick; a burst of events is one reading.
export function createStatusTopic(
  monitor: StatusMonitor,
  hub: PushHub,
  events: EventBus,
): PushTopic & { close(): void } {
  let followers = 0;
  let stop: (() => void) | null = null;
  // One reading at a time; an event during a reading asks for one more after it.
  let reading = false;
  let again = false;
  const sendFilesystems = () => {
    if (followers === 0) return;
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    setImmediate(async () => {
      try {
        const sample = await monitor.readSampler('filesystems');
        if (followers > 0) hub.publish('status', [{ action: 'sample', target: 'status-filesystems', data: sample }]);
      } finally {
        reading = false;
        if (again) {
          again = false;
          sendFilesystems();
        }
      }
    });
  };
  const stops = filesystemEvents.map((name) => events.on(name, sendFilesystems));
  // The snapshot is the same for every follower until the next sample (or the next second,
  // as the window slides): it is packed once, and the hub serializes the same messages once.
  // 1,000 pages coming back at once after a restart made 1,000 copies of 10 minutes of history.
  let snapshot: { key: string; messages: StreamMessage[] } | null = null;
  const getSnapshot = (): StreamMessage[] => {
    const key = `${monitor.revision} ${Math.floor(Date.now() / 1000)}`;
    if (snapshot?.key !== key) {
      const history = packHistory(monitor.getHistory('10m'));
      snapshot = { key, messages: [{ action: 'sample', target: 'status', data: { range: '10m', history } }] };
    }
    return snapshot.messages;
  };
  return {
    name: 'status',
    canSubscribe: (viewer) => viewer.isAdmin,
    getSnapshot: async () => getSnapshot(),
    acquire() {
      followers += 1;
      stop ??= monitor.listen((sample) =>
        hub.publish('status', [{ action: 'sample', target: 'status', data: { samples: [sample] } }]),
      );
    },
    release() {
      followers = Math.max(0, followers - 1);
      if (followers === 0) {
        stop?.();
        stop = null;
        snapshot = null;
      }
    },
    close() {
      stop?.();
      stop = null;
      stops.forEach((stopListening) => stopListening());
    },
  };
}
