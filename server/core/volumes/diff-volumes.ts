import type { CoreEvents } from '../events/event-bus.ts';
import type { Volume } from './volume-schema.ts';

// One event to emit, in the bus's own terms.
export type VolumeEvent = {
  [K in keyof CoreEvents]: K extends `volume-${string}` ? { name: K; data: CoreEvents[K] } : never;
}[keyof CoreEvents];

// Fields whose change is told by their own event (mounted, unmounted, usage), not volume-changed.
const ownEventFields = new Set<keyof Volume>(['usage', 'mountPoint', 'state', 'mountOptions', 'actions']);

function isSame(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

// The events that take a page from `before` to `after`: added, removed, mounted, unmounted
// (a move is both), changed with the field names, and usage.
export function diffVolumes(before: readonly Volume[], after: readonly Volume[]): VolumeEvent[] {
  const events: VolumeEvent[] = [];
  const old = new Map(before.map((volume) => [volume.name, volume]));
  const current = new Set(after.map((volume) => volume.name));
  for (const volume of before) {
    if (!current.has(volume.name)) events.push({ name: 'volume-removed', data: { name: volume.name } });
  }
  for (const volume of after) {
    const previous = old.get(volume.name);
    if (!previous) {
      events.push({ name: 'volume-added', data: { name: volume.name } });
      continue;
    }
    if (previous.mountPoint !== volume.mountPoint) {
      if (previous.mountPoint) {
        events.push({ name: 'volume-unmounted', data: { name: volume.name, mountPoint: previous.mountPoint } });
      }
      if (volume.mountPoint) {
        events.push({ name: 'volume-mounted', data: { name: volume.name, mountPoint: volume.mountPoint } });
      }
    }
    const fields = (Object.keys(volume) as (keyof Volume)[]).filter(
      (field) => !ownEventFields.has(field) && !isSame(previous[field], volume[field]),
    );
    // Actions follow from the rest; a change of them alone (a remount's options) still shows.
    if (fields.length === 0 && previous.mountPoint === volume.mountPoint) {
      for (const field of ['mountOptions', 'actions'] as const) {
        if (!isSame(previous[field], volume[field])) fields.push(field);
      }
    }
    if (fields.length > 0) events.push({ name: 'volume-changed', data: { name: volume.name, fields } });
    if (!isSame(previous.usage, volume.usage) && volume.usage && previous.mountPoint === volume.mountPoint) {
      events.push({ name: 'volume-usage', data: { name: volume.name } });
    }
  }
  return events;
}
