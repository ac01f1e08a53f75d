// The Status page's daemon figures, written in place: only the texts whose inputs changed
// are formatted again (a tick formatted and translated 32 texts, the terms too, for the few
// that change: 1.4 ms of a tick's script in a profile), and only the texts that changed are
// written (a tick rebuilt the 28 elements, a style and layout pass of its card every second).
import { formatCount, t } from '../i18n.ts';
import { formatBytes, formatDecimal } from './format.ts';
import type { ChartSample } from './series-paths.ts';
import { setText } from './set-text.ts';

// A figure: its term, the metrics it shows, and its text from their values (0 when missing),
// once `read` has kept of them what the text shows.
interface Figure {
  term: string;
  keys: string[];
  read?(values: number[]): number[];
  format(values: number[]): string;
}

// An uptime in seconds as days, hours and minutes (`3 d 4 h`, `5 h 12 min`, `42 s`).
function formatUptime(seconds: number): string {
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (days > 0) return t('status.uptime.days', { days, hours });
  if (hours > 0) return t('status.uptime.hours', { hours, minutes });
  return minutes > 0
    ? t('status.uptime.minutes', { minutes })
    : t('status.uptime.seconds', { seconds: Math.floor(seconds) });
}

const perSecond = ([value]: number[]) => t('status.unit.perSecond', { value: formatDecimal(value!, 1) });
const count = ([value]: number[]) => formatCount(value!);

// The figures in the page's order; their terms are translated once.
function getFigures(): Figure[] {
  const figure = (term: string, keys: string[], format: (values: number[]) => string): Figure => ({
    term,
    keys,
    format,
  });
  return [
    // Shown to the second under a minute, to the minute after (formatted again once a minute).
    {
      ...figure(t('status.daemon.uptime'), ['daemon.uptime'], ([value]) => formatUptime(value!)),
      read: ([value]) => [value! < 60 ? Math.floor(value!) : 60 * Math.floor(value! / 60)],
    },
    figure(t('status.daemon.loopDelay'), ['daemon.loopDelayP99'], ([value]) =>
      t('status.unit.ms', { value: formatDecimal(value!, 1) }),
    ),
    figure(t('status.daemon.rss'), ['daemon.rss'], ([value]) => formatBytes(value!)),
    figure(t('status.daemon.heap'), ['daemon.heap'], ([value]) => formatBytes(value!)),
    figure(t('status.daemon.sessions'), ['daemon.sessions'], count),
    figure(t('status.daemon.sockets'), ['daemon.sockets'], count),
    figure(t('status.daemon.watches'), ['daemon.watches'], count),
    figure(t('status.daemon.requests'), ['daemon.requests'], perSecond),
    figure(t('status.daemon.coreEvents'), ['daemon.events'], perSecond),
    figure(t('status.daemon.pushRefusals'), ['daemon.pushRefusals'], perSecond),
    // Of the budget (shares.max_watches), and the directories it refused: unwatched, their
    // files not enforced.
    figure(t('status.daemon.shareWatches'), ['shares.watches', 'shares.budget'], ([watches, budget]) =>
      budget
        ? t('status.unit.ofBudget', { value: formatCount(watches!), budget: formatCount(budget) })
        : count([watches!]),
    ),
    figure(t('status.daemon.shareRefused'), ['shares.refused'], count),
    figure(t('status.daemon.shareQueued'), ['shares.queued'], count),
    figure(t('status.daemon.shareOverflows'), ['shares.overflows'], perSecond),
    figure(t('status.daemon.shareRepairs'), ['shares.repairs'], perSecond),
    figure(t('status.daemon.sharesInError'), ['shares.erred'], count),
  ];
}

// Draws the figures into a <dl>; one instance per list.
export class DaemonFigures {
  readonly #list: HTMLElement;
  #figures: Figure[] | null = null;
  // Each figure's values last formatted (null before the first).
  #shown: (number[] | null)[] = [];

  constructor(list: HTMLElement) {
    this.#list = list;
  }

  // Shows the figures of `latest`.
  draw(latest: ChartSample): void {
    if (!this.#figures) {
      this.#figures = getFigures();
      this.#shown = this.#figures.map(() => null);
      this.#list.replaceChildren(
        ...this.#figures.flatMap(({ term }) => [
          Object.assign(document.createElement('dt'), { textContent: term }),
          document.createElement('dd'),
        ]),
      );
    }
    this.#figures.forEach((figure, index) => {
      const read = figure.keys.map((key) => latest.values[key] ?? 0);
      const values = figure.read ? figure.read(read) : read;
      const shown = this.#shown[index];
      if (shown && shown.every((value, position) => value === values[position])) return;
      this.#shown[index] = values;
      setText(this.#list.children[index * 2 + 1]!, figure.format(values));
    });
  }
}
