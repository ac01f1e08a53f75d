import type { EventBus } from '../events/event-bus.ts';
import type { VolumeEvent } from './diff-volumes.ts';

// Emits the volumes' events on the bus, volume-usage at most once a second per volume (a busy
// disk's usage changes constantly): a later one waits for its second, if the volume is there.
export class VolumeEvents {
  readonly #events: EventBus;
  readonly #exists: (name: string) => boolean;
  #lastUsage = new Map<string, number>();
  #usageTimers = new Map<string, NodeJS.Timeout>();
  #closed = false;

  constructor(events: EventBus, exists: (name: string) => boolean) {
    this.#events = events;
    this.#exists = exists;
  }

  emit(event: VolumeEvent): void {
    if (event.name !== 'volume-usage') {
      this.#events.emit(event.name, 'volumes', event.data as never);
      return;
    }
    const name = event.data.name;
    const wait = (this.#lastUsage.get(name) ?? 0) + 1000 - Date.now();
    if (wait <= 0) {
      this.#lastUsage.set(name, Date.now());
      this.#events.emit('volume-usage', 'volumes', { name });
    } else if (!this.#usageTimers.has(name)) {
      const timer = setTimeout(() => {
        this.#usageTimers.delete(name);
        this.#lastUsage.set(name, Date.now());
        if (!this.#closed && this.#exists(name)) this.#events.emit('volume-usage', 'volumes', { name });
      }, wait);
      timer.unref();
      this.#usageTimers.set(name, timer);
    }
  }

  // Drops the usage events still waiting.
  close(): void {
    this.#closed = true;
    for (const timer of this.#usageTimers.values()) clearTimeout(timer);
    this.#usageTimers.clear();
  }
}
