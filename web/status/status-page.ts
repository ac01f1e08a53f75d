// The Status page: draws its charts from the status feed (web/status/status-feed.ts) and
// switches between 10 minutes (1 s samples, live) and 24 hours (one-minute averages,
// fetched from the API).
import { callApi } from '../api.ts';
import { BarChart } from './bar-chart.ts';
import { formatBytes, formatClock, formatDecimal, formatPercent } from './format.ts';
import { getPageLocale, t } from '../i18n.ts';
import { DaemonFigures } from './daemon-figures.ts';
import { TimeChart, liveView, type ChartSample, type ChartView, type Series } from './time-chart.ts';
import { StatusFeed } from './status-feed.ts';
import { setText } from './set-text.ts';
import { chartMetrics } from '../../common/status-charts.ts';

type Range = '10m' | '24h';
const views: Record<Range, ChartView> = { '10m': liveView, '24h': { windowMs: 24 * 3_600_000, sampleMs: 60_000 } };

// The series of a sample whose metric names match `pattern` (its first group names the
// device), sorted by name. Found again only when the sample's names or the page's language
// change: a tick sorted and matched the hundred names three times for the same answer.
function findSeries(
  pattern: RegExp,
  label: (device: string, kind: string) => string,
): (latest: ChartSample) => Series[] {
  let id = '';
  let found: Series[] = [];
  return (latest) => {
    const names = Object.keys(latest.values);
    const namesId = `${getPageLocale()} ${names.join(' ')}`;
    if (namesId === id) return found;
    id = namesId;
    found = names.sort().flatMap((key) => {
      const match = pattern.exec(key);
      return match ? [{ key, label: label(match[1]!, match[2] ?? '') }] : [];
    });
    return found;
  };
}

// The CPU chart: user, system, iowait and steal stacked, out of 100 %.
export function createCpuChart(element: HTMLElement, height?: number): TimeChart {
  return new TimeChart({
    element,
    format: 'percent',
    stacked: true,
    maximum: 100,
    height,
    getSeries: () => [
      { key: 'cpu.user', label: t('status.cpu.user') },
      { key: 'cpu.system', label: t('status.cpu.system') },
      { key: 'cpu.iowait', label: t('status.cpu.iowait') },
      { key: 'cpu.steal', label: t('status.cpu.steal') },
    ],
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
      getSeries: () => [
        { key: 'memory.used', label: t('status.memory.used') },
        { key: 'memory.buffers', label: t('status.memory.buffers') },
        { key: 'memory.cache', label: t('status.memory.cache') },
      ],
      getTotal: (latest) => latest.values['memory.total'],
      getNote: (latest) =>
        latest.values['memory.total'] === undefined
          ? t('status.memory.totalNoData')
          : t('status.memory.free', {
              free: formatBytes(latest.values['memory.free'] ?? 0),
              total: formatBytes(latest.values['memory.total']),
            }),
      getOverlay: (latest) =>
        (latest.values['swap.total'] ?? 0) > 0 ? [{ key: 'swap.used', label: t('status.memory.swapUsed') }] : [],
    }),
    network: new TimeChart({
      element: chart('network'),
      format: 'rate',
      stacked: false,
      getSeries: findSeries(chartMetrics.network, (device, kind) =>
        kind === 'rx' ? t('status.network.in', { device }) : t('status.network.out', { device }),
      ),
    }),
    disks: new TimeChart({
      element: chart('disks'),
      format: 'rate',
      stacked: false,
      getSeries: findSeries(chartMetrics.disks, (device, kind) =>
        kind === 'read' ? t('status.disk.read', { device }) : t('status.disk.write', { device }),
      ),
    }),
  };
  const load = new BarChart(chart('load'));
  const filesystems = new BarChart(chart('filesystems'));

  let range: Range = '10m';

  const updated = document.getElementById('status-updated')!;
  const daemon = new DaemonFigures(document.getElementById('daemon-figures')!);
  const draw = (samples: ChartSample[]) => {
    const latest = samples.at(-1)!;
    const started = performance.now();
    for (const timeChart of Object.values(charts)) timeChart.update(samples, { view: views[range] });
    drawLoad(load, latest);
    drawFilesystems(filesystems, latest);
    daemon.draw(latest);
    setText(updated, t('status.lastSample', { time: formatClock(latest.time) }));
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

const findFilesystems = findSeries(/^fs\.(.+)\.size$/, (mount) => mount);

// One bar per mounted filesystem: its used share, and its size.
function drawFilesystems(bars: BarChart, latest: ChartSample): void {
  bars.update(
    findFilesystems(latest).map(({ key, label }) => {
      const used = latest.values[key.replace(/\.size$/, '.used')] ?? 0;
      const size = latest.values[key] ?? 1;
      return {
        key: label,
        label,
        value: (used * 100) / size,
        text: t('status.filesystemUse', { percent: formatPercent((used * 100) / size), size: formatBytes(size) }),
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
      label: t('status.loadMinutes', { minutes }),
      value: load(minutes),
      text: formatDecimal(load(minutes), 2),
    })),
    Math.max(latest.values['cpu.cores'] ?? 1, load('1'), load('5'), load('15')),
  );
}
