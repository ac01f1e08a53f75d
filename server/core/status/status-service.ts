import type { EventBus } from '../events/event-bus.ts';
import { createInotifyWatchCounter } from '../watch/count-inotify-watches.ts';
import { createSamplers } from './create-samplers.ts';
import { readHistoryFile, writeHistoryFile } from './history-file.ts';
import type { DaemonFigure } from './samplers/daemon-sampler.ts';
import type { SharesFiguresSource } from './samplers/shares-sampler.ts';
import { StatusMonitor, type StatusMonitorOptions } from './status-monitor.ts';

// How often a history that moved is saved while the daemon runs (it is saved at close too).
const saveEveryMs = 10 * 60_000;

// What the core's status is opened with.
export interface StatusServiceOptions {
  events: EventBus;
  // Where the history is kept across restarts; null keeps none.
  historyFile: string | null;
  warn?: (message: string) => void;
  // The shares' watcher, whose figures (watches, queued, overflows, repairs) are sampled too.
  shares?: SharesFiguresSource;
  monitor?: Omit<StatusMonitorOptions, 'onSampling'>;
}

// The core's status (`core.status`): the machine's samplers and the daemon's own, the
// monitor and its history file, read by the Status page, `GET /api/v1/status` and `licorn
// get status` alike. The core gives the daemon's uptime, inotify watches and events/s;
// others register their figures (the web: sessions, sockets, requests, push refusals).
// Starting and stopping sampling are `status-sampling` events (facility status).
export class StatusService extends StatusMonitor {
  readonly #figures: Map<string, DaemonFigure>;
  readonly #historyFile: string | null;
  readonly #warn: (message: string) => void;
  readonly #stopCounting: () => void;
  #timer: NodeJS.Timeout | null = null;
  #savedRevision = 0;
  // Saves run one after the other; the last one is awaited at close.
  #saving = Promise.resolve();

  private constructor(options: StatusServiceOptions, figures: Map<string, DaemonFigure>) {
    super(createSamplers(figures, options.shares), {
      ...options.monitor,
      onSampling: (running) => options.events.emit('status-sampling', 'status', { running }),
    });
    this.#figures = figures;
    this.#historyFile = options.historyFile;
    this.#warn = options.warn ?? ((message) => process.emitWarning(message, 'StatusHistoryWarning'));
    let events = 0;
    this.#stopCounting = options.events.onAny(() => {
      events += 1;
    });
    const startedAt = Date.now();
    figures.set('uptime', { kind: 'gauge', read: () => Math.floor((Date.now() - startedAt) / 1000) });
    figures.set('watches', { kind: 'gauge', read: createInotifyWatchCounter() });
    figures.set('events', { kind: 'counter', read: () => events });
  }

  // The service, with the history saved in `historyFile` read back.
  static async open(options: StatusServiceOptions): Promise<StatusService> {
    const service = new StatusService(options, new Map());
    if (service.#historyFile) {
      const saved = await readHistoryFile(service.#historyFile, service.#warn);
      if (saved) service.restoreHistory(saved);
      service.#savedRevision = service.revision;
      service.#timer = setInterval(() => void service.#save(), saveEveryMs).unref();
    }
    return service;
  }

  // Adds a figure of the daemon (`daemon.<name>`, a gauge or a counter shown per second);
  // returns the function that removes it.
  registerFigure(name: string, figure: DaemonFigure): () => void {
    if (this.#figures.has(name)) throw new Error(`status figure daemon.${name} is already registered`);
    this.#figures.set(name, figure);
    return () => this.#figures.delete(name);
  }

  // Stops sampling and saves the history (shutdown).
  override async close(): Promise<void> {
    super.close();
    if (this.#timer) clearInterval(this.#timer);
    this.#stopCounting();
    await this.#save();
  }

  #save(): Promise<void> {
    const path = this.#historyFile;
    if (!path) return this.#saving;
    this.#saving = this.#saving.then(async () => {
      if (this.revision === this.#savedRevision) return;
      this.#savedRevision = this.revision;
      await writeHistoryFile(path, this.exportHistory()).catch((error: Error) =>
        this.#warn(`status history ${path}: ${error.message}`),
      );
    });
    return this.#saving;
  }
}
