// The Status page: draws its charts from the status feed (web/status/status-feed.ts) and
// switches between 10 minutes (1 s samples, live) and 24 hours (one-minute averages,
// fetched from the API).
import { callApi } from '../api.ts';
import { BarChart } from './bar-chart.ts';
import { formatBytes, formatClock, formatPercent } from './format.ts';
import { TimeChart, liveView, type ChartSample, type ChartView, type Series } from './time-chart.ts';
import { StatusFeed } from './status-feed.ts';

type Range = '10m' | '24h';
const views: Record<Range, ChartView> = { '10m': liveView, '24h': { windowMs: 24 * 3_600_000, sampleMs: 60_000 } };

// The series of `latest` whose metric names match `pattern` (its first group names the device).
function findSeries(latest: ChartSample, pattern: RegExp, label: (device: string, kind: string) => string): Series[] {
  return Object.keys(latest.values)
    .sort()
    .flatMap((key) => {
      const match = pattern.exec(key);
      return match ? [{ key, label: label(match[1]!, match[2] ?? '') }] : [];
    });
}

// The CPU chart: user, system, iowait and steal stacked, out of 100 %.
export function createCpuChart(element: HTMLElement, height?: number): TimeChart {
  return new TimeChart({
    element,
    format: 'percent',
    stacked: true,
    maximum: 100,
    height,
    getSeries: () => ['user', 'system', 'iowait', 'steal'].map((kind) => ({ key: `cpu.${kind}`, label: kind })),
  });
}

// Starts the page (called when <body data-page="status">).
export function startStatusPage(): void {
  const chart = (name: string) => document.querySelector<HTMLElement>(`[data-chart="${name}"]`)!;
  const charts = {
    cpu: createCpuChart(chart('cpu')),
    // Used, buffers and cache stacked against the total: free is the room above them, not a
    // band that would fill the chart to its top.
    memory: new TimeChart({
      element: chart('memory'),
      format: 'bytes',
      stacked: true,
      getSeries: () => ['used', 'buffers', 'cache'].map((kind) => ({ key: `memory.${kind}`, label: kind })),
      getTotal: (latest) => latest.values['memory.total'],
      getNote: (latest) =>
        latest.values['memory.total'] === undefined
          ? 'total: no data'
          : `free ${formatBytes(latest.values['memory.free'] ?? 0)} of ${formatBytes(latest.values['memory.total'])}`,
      getOverlay: (latest) =>
        (latest.values['swap.total'] ?? 0) > 0 ? [{ key: 'swap.used', label: 'swap used' }] : [],
    }),
    network: new TimeChart({
      element: chart('network'),
      format: 'rate',
      stacked: false,
      getSeries: (latest) =>
        findSeries(latest, /^net\.(.+)\.(rx|tx)$/, (device, kind) => `${device} ${kind === 'rx' ? 'in' : 'out'}`),
    }),
    disks: new TimeChart({
      element: chart('disks'),
      format: 'rate',
      stacked: false,
      getSeries: (latest) => findSeries(latest, /^disk\.(.+)\.(read|write)$/, (device, kind) => `${device} ${kind}`),
    }),
  };
  const load = new BarChart(chart('load'));
  const filesystems = new BarChart(chart('filesystems'));

  let range: Range = '10m';

  const updated = document.getElementById('status-updated')!;
  const draw = (samples: ChartSample[]) => {
    const latest = samples.at(-1)!;
    const started = performance.now();
    for (const timeChart of Object.values(charts)) timeChart.update(samples, { view: views[range] });
    drawLoad(load, latest);
    drawFilesystems(filesystems, latest);
    drawDaemon(latest);
    updated.textContent = `Last sample ${formatClock(latest.time)}.`;
    // The last redraw's cost, read by the benchmark (bench/status-bench.ts).
    document.body.dataset.redrawMs = (performance.now() - started).toFixed(2);
  };
  // A mount, an unmount or usage moving (the volumes' events) redraws the bars at once,
  // from the filesystems' figures alone; the next tick's sample agrees with them.
  const feed: StatusFeed = new StatusFeed(draw, (fresh) => {
    const latest = feed.samples.at(-1);
    if (!latest) return;
    const values = Object.fromEntries(Object.entries(latest.values).filter(([key]) => !key.startsWith('fs.')));
    drawFilesystems(filesystems, { time: fresh.time, values: { ...values, ...fresh.values } });
  });

  const buttons = document.querySelectorAll<HTMLButtonElement>('[data-range]');
  buttons.forEach((button) =>
    button.addEventListener('click', async () => {
      range = button.dataset.range as Range;
      buttons.forEach((other) => other.setAttribute('aria-pressed', String(other === button)));
      if (range === '10m') feed.showLive();
      else feed.show((await callApi<{ samples: ChartSample[] }>('GET', '/api/v1/status/history?range=24h')).samples);
    }),
  );
  // The 24-hour view gains a point a minute.
  setInterval(() => {
    if (range === '24h' && !document.hidden) {
      void callApi<{ samples: ChartSample[] }>('GET', '/api/v1/status/history?range=24h').then((answer) =>
        feed.show(answer.samples),
      );
    }
  }, 60_000);
}

// One bar per mounted filesystem: its used share, and its size.
function drawFilesystems(bars: BarChart, latest: ChartSample): void {
  bars.update(
    findSeries(latest, /^fs\.(.+)\.size$/, (mount) => mount).map(({ key, label }) => {
      const used = latest.values[key.replace(/\.size$/, '.used')] ?? 0;
      const size = latest.values[key] ?? 1;
      return {
        key: label,
        label,
        value: (used * 100) / size,
        text: `${formatPercent((used * 100) / size)} of ${formatBytes(size)}`,
      };
    }),
    100,
  );
}

// Licorn's three load bars, against the number of cores (or the load, when above).
export function drawLoad(bars: BarChart, latest: ChartSample): void {
  const load = (minutes: string) => latest.values[`load.${minutes}`] ?? 0;
  bars.update(
    ['1', '5', '15'].map((minutes) => ({
      key: minutes,
      label: `${minutes} min`,
      value: load(minutes),
      text: load(minutes).toFixed(2),
    })),
    Math.max(latest.values['cpu.cores'] ?? 1, load('1'), load('5'), load('15')),
  );
}

// An uptime in seconds as days, hours and minutes (`3 d 4 h`, `5 h 12 min`, `42 s`).
function formatUptime(seconds: number): string {
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (days > 0) return `${days} d ${hours} h`;
  if (hours > 0) return `${hours} h ${minutes} min`;
  return minutes > 0 ? `${minutes} min` : `${Math.floor(seconds)} s`;
}

// The daemon's figures, written in place: only the texts that changed (a tick rebuilt the
// 28 elements, a style and layout pass of its card every second).
function drawDaemon(latest: ChartSample): void {
  const figures: [string, string][] = [
    ['Uptime', formatUptime(latest.values['daemon.uptime'] ?? 0)],
    ['Event-loop delay p99', `${(latest.values['daemon.loopDelayP99'] ?? 0).toFixed(1)} ms`],
    ['Memory (RSS)', formatBytes(latest.values['daemon.rss'] ?? 0)],
    ['Heap', formatBytes(latest.values['daemon.heap'] ?? 0)],
    ['Sessions', String(latest.values['daemon.sessions'] ?? 0)],
    ['WebSocket clients', String(latest.values['daemon.sockets'] ?? 0)],
    ['Inotify watches', String(latest.values['daemon.watches'] ?? 0)],
    ['Requests', `${(latest.values['daemon.requests'] ?? 0).toFixed(1)}/s`],
    ['Core events', `${(latest.values['daemon.events'] ?? 0).toFixed(1)}/s`],
    ['Push refusals', `${(latest.values['daemon.pushRefusals'] ?? 0).toFixed(1)}/s`],
    // Of the budget (shares.max_watches), and the directories it refused: unwatched, their files not enforced.
    [
      'Share watches',
      `${latest.values['shares.watches'] ?? 0}${latest.values['shares.budget'] ? ` of ${latest.values['shares.budget']}` : ''}`,
    ],
    ['Share watches refused (budget)', String(latest.values['shares.refused'] ?? 0)],
    ['Share events queued', String(latest.values['shares.queued'] ?? 0)],
    ['Share overflows', `${(latest.values['shares.overflows'] ?? 0).toFixed(1)}/s`],
    ['Share repairs', `${(latest.values['shares.repairs'] ?? 0).toFixed(1)}/s`],
    ['Shares in error', String(latest.values['shares.erred'] ?? 0)],
  ];
  const list = document.getElementById('daemon-figures')!;
  if (list.children.length !== figures.length * 2) {
    list.replaceChildren(
      ...figures.flatMap(([term]) => [
        Object.assign(document.createElement('dt'), { textContent: term }),
        document.createElement('dd'),
      ]),
    );
  }
  figures.forEach(([, value], index) => {
    const entry = list.children[index * 2 + 1]!;
    if (entry.textContent !== value) entry.textContent = value;
  });
}
