import type { StatusMonitor } from '../../../core/status/status-monitor.ts';
import { packHistory } from '../../../../common/pack-history.ts';
import type { PushHub } from '../push-hub.ts';
import type { PushTopic } from '../stream-message.ts';

// `status`: the live figures, for admins. A subscriber gets the last 10 minutes at once
// (packed: each metric's name once), then one `sample` message per tick with the new sample
// only (a reconnecting page gets the history again, so it misses nothing). The monitor
// samples only while the topic has subscribers.
export function createStatusTopic(monitor: StatusMonitor, hub: PushHub): PushTopic & { close(): void } {
  let followers = 0;
  let stop: (() => void) | null = null;
  return {
    name: 'status',
    canSubscribe: (viewer) => viewer.isAdmin,
    getSnapshot: async () => [
      { action: 'sample', target: 'status', data: { range: '10m', history: packHistory(monitor.getHistory('10m')) } },
    ],
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
      }
    },
    close() {
      stop?.();
      stop = null;
    },
  };
}
