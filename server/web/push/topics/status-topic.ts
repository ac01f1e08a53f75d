import type { EventBus } from '../../../core/events/event-bus.ts';
import type { StatusMonitor } from '../../../core/status/status-monitor.ts';
import { packHistory } from '../../../../common/pack-history.ts';
import { isChartMetric, parseStatusTopicName, statusChartsFamily } from '../../../../common/status-charts.ts';
import type { PushHub } from '../push-hub.ts';
import type { PushTopic, StreamMessage } from '../stream-message.ts';

// The volume events after which the filesystems' bars are out of date.
const filesystemEvents = ['volume-mounted', 'volume-unmounted', 'volume-removed', 'volume-usage'] as const;

// `status` and `status/<chart>,<chart>`: the live figures, for admins. A subscriber gets the
// last 10 minutes at once (packed: each metric's name once): `status`, of every metric;
// `status/cpu,memory`, of the metrics those charts draw over time (common/status-charts.ts),
// with the last sample whole. Then every follower gets one `sample` message per tick with
// the new sample only (a reconnecting page gets the history again, so it misses nothing).
// The monitor samples only while a topic of the two has subscribers. The filesystems' bars
// also follow the volumes' events: a mount, an unmount or usage moving sends the filesystems'
// figures at once (`status-filesystems`), not at the next tick; a burst of events is one reading.
export function createStatusTopics(
  monitor: StatusMonitor,
  hub: PushHub,
  events: EventBus,
): { topics: PushTopic[]; close(): void } {
  // Sockets following each name of the two topics; the monitor runs while there are any.
  const followed = new Map<string, number>();
  let stop: (() => void) | null = null;
  // Sends the same messages (one buffer: the hub serializes them once) to every name followed.
  const publish = (messages: StreamMessage[]) => {
    for (const name of followed.keys()) hub.publish(name, messages);
  };
  // One reading at a time; an event during a reading asks for one more after it.
  let reading = false;
  let again = false;
  const sendFilesystems = () => {
    if (followed.size === 0) return;
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    setImmediate(async () => {
      try {
        const sample = await monitor.readSampler('filesystems');
        publish([{ action: 'sample', target: 'status-filesystems', data: sample }]);
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
  // A snapshot is the same for every follower of its charts until the next sample (or the
  // next second, as the window slides): it is packed once, and the hub serializes the same
  // messages once. 1,000 pages coming back at once after a restart made 1,000 copies of 10
  // minutes of history.
  const snapshots = new Map<string, { key: string; messages: StreamMessage[] }>();
  const getSnapshot = (name: string): StreamMessage[] => {
    const charts = name === 'status' ? null : parseStatusTopicName(name)!;
    const chartsKey = charts?.join(',') ?? '';
    const key = `${monitor.revision} ${Math.floor(Date.now() / 1000)}`;
    let snapshot = snapshots.get(chartsKey);
    if (snapshot?.key !== key) {
      const samples = monitor.getHistory('10m');
      const history = charts ? packHistory(samples, (metric) => isChartMetric(charts, metric)) : packHistory(samples);
      const data = { range: '10m', history, ...(charts && samples.length > 0 ? { latest: samples.at(-1) } : {}) };
      snapshot = { key, messages: [{ action: 'sample', target: 'status', data }] };
      snapshots.set(chartsKey, snapshot);
    }
    return snapshot.messages;
  };
  const common = {
    canSubscribe: (viewer: { isAdmin: boolean }, name: string) =>
      viewer.isAdmin && (name === 'status' || parseStatusTopicName(name) !== null),
    getSnapshot: async (_viewer: unknown, name: string) => getSnapshot(name),
    acquire(name: string) {
      followed.set(name, (followed.get(name) ?? 0) + 1);
      stop ??= monitor.listen((sample) =>
        publish([{ action: 'sample', target: 'status', data: { samples: [sample] } }]),
      );
    },
    release(name: string) {
      const count = (followed.get(name) ?? 0) - 1;
      if (count > 0) followed.set(name, count);
      else followed.delete(name);
      if (followed.size === 0) {
        stop?.();
        stop = null;
        snapshots.clear();
      }
    },
  };
  return {
    topics: [
      { name: 'status', ...common },
      { name: statusChartsFamily, ...common },
    ],
    close() {
      stop?.();
      stop = null;
      stops.forEach((stopListening) => stopListening());
    },
  };
}
