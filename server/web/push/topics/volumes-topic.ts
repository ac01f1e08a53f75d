import type { EventBus } from '../../../core/events/event-bus.ts';
import type { VolumesApi } from '../../../core/volumes/volumes-api.ts';
import { getVolumeRow } from '../../volumes/volume-row.ts';
import type { Locale } from '../../../../common/i18n/locales.ts';
import type { PushHub } from '../push-hub.ts';
import { TurnBatch } from '../turn-batch.ts';
import type { PushTopic, StreamMessage, RenderPartial } from '../stream-message.ts';

// `volumes`: the volumes page's rows, for admins, following the core's volume events (a disk
// plugged, a loop attached, a `mount` in a shell, usage moving). Changes are gathered for one
// turn of the event loop, then each changed volume's row is rendered by the page's own partial:
// a new one inserted in its place by name, a changed one replaced, a gone one removed. A subscriber gets every row
// at once (a reconnecting page re-syncs what it missed); a machine has tens of volumes, not
// thousands, so the whole table is one small frame. While someone follows the topic, the
// space used on mounted volumes is read every usageEveryMs (statfs only: no device probed),
// and a change comes back as `volume-usage`, hence a new row.
// How often the usage of mounted volumes is read while a page shows them.
export const usageEveryMs = 2000;

export function createVolumesTopic(
  volumes: VolumesApi,
  mediaDir: string,
  events: EventBus,
  hub: PushHub,
  render: RenderPartial,
): PushTopic & { close(): void } {
  // A new row in its place by name, as the page lists them (a copy already shown goes first).
  const getInsertion = (name: string, html: string): StreamMessage[] => {
    const next = volumes.list().find((volume) => volume.name > name);
    return [
      { action: 'remove', target: `volume-${name}` },
      next
        ? { action: 'before', target: `volume-${next.name}`, html }
        : { action: 'append', target: 'volume-rows', html },
    ];
  };
  const renderRow = (name: string, locale: Locale): Promise<string> | null => {
    const volume = volumes.get(name);
    return volume ? render('volumes/_row.njk', { row: getVolumeRow(volume, mediaDir, locale) }, locale) : null;
  };

  const batch = new TurnBatch((added, changed) =>
    hub.publishRendered('volumes', async (locale) => {
      const messages: StreamMessage[] = [];
      // Last name first: a new row goes before the next one by name, which is then already in
      // the page even when it came in the same batch.
      for (const name of [...new Set([...added, ...changed])].sort().reverse()) {
        const html = await renderRow(name, locale);
        if (html === null) messages.push({ action: 'remove', target: `volume-${name}` });
        else if (added.has(name)) messages.push(...getInsertion(name, html));
        else messages.push({ action: 'replace', target: `volume-${name}`, html });
      }
      return messages;
    }),
  );

  const stops = [
    events.on('volume-added', ({ data }) => batch.add(data.name)),
    events.on('volume-removed', ({ data }) => batch.remove(data.name)),
    events.on('volume-changed', ({ data }) => batch.change(data.name)),
    events.on('volume-mounted', ({ data }) => batch.change(data.name)),
    events.on('volume-unmounted', ({ data }) => batch.change(data.name)),
    events.on('volume-usage', ({ data }) => batch.change(data.name)),
  ];
  let followers = 0;
  let timer: NodeJS.Timeout | null = null;
  const readUsage = () => void volumes.refreshUsage().catch(() => {});
  const stopReading = () => {
    if (timer) clearInterval(timer);
    timer = null;
  };
  return {
    name: 'volumes',
    canSubscribe: (viewer) => viewer.isAdmin,
    acquire() {
      followers += 1;
      if (timer) return;
      readUsage();
      timer = setInterval(readUsage, usageEveryMs).unref();
    },
    release() {
      followers = Math.max(0, followers - 1);
      if (followers === 0) stopReading();
    },
    getSnapshot: async (_viewer, _name, locale) => [
      {
        action: 'update',
        target: 'volume-rows',
        html: (
          await Promise.all(
            volumes
              .list()
              .map((volume) => render('volumes/_row.njk', { row: getVolumeRow(volume, mediaDir, locale) }, locale)),
          )
        ).join(''),
      },
      {
        action: 'replace',
        target: 'volumes-writable',
        html: await render('volumes/_writable.njk', { writable: volumes.writable }, locale),
      },
    ],
    close: () => {
      stopReading();
      stops.forEach((stop) => stop());
    },
  };
}
