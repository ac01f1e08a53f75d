// The status time charts and the metrics each draws over time. A page follows
// `status/<chart>,<chart>` (the charts it draws) and gets on subscribe the history of those
// metrics only, with the last sample whole (its bars and figures read only the latest
// values): the Status page's four charts draw 20 of the 65 metrics, and 1,000 pages coming
// back at once were each sent the history of all 65 (bench/README.md, thirteenth session).
export const chartMetrics = {
  cpu: /^cpu\.(user|system|iowait|steal)$/,
  memory: /^(memory\.(used|buffers|cache)|swap\.used)$/,
  // The first group is the device, the second the direction (the page's legends).
  network: /^net\.(.+)\.(rx|tx)$/,
  disks: /^disk\.(.+)\.(read|write)$/,
} as const;

// One of the charts a page may name.
export type StatusChart = keyof typeof chartMetrics;

// The family of topics that name their charts (`status/cpu,memory`).
export const statusChartsFamily = 'status/';

// The topic that sends the history of `charts`' metrics (then every sample whole).
export function getStatusTopicName(charts: readonly StatusChart[]): string {
  return `${statusChartsFamily}${charts.join(',')}`;
}

// The charts a topic name asks for, in a fixed order (so `cpu,disks` and `disks,cpu` are
// the same snapshot), or null when it names none, one unknown, or one twice.
export function parseStatusTopicName(name: string): StatusChart[] | null {
  if (!name.startsWith(statusChartsFamily)) return null;
  const names = name.slice(statusChartsFamily.length).split(',');
  const known = Object.keys(chartMetrics) as StatusChart[];
  if (new Set(names).size !== names.length || names.some((chart) => !known.includes(chart as StatusChart))) {
    return null;
  }
  return known.filter((chart) => names.includes(chart));
}

// Whether `metric` is drawn over time by one of `charts`.
export function isChartMetric(charts: readonly StatusChart[], metric: string): boolean {
  return charts.some((chart) => chartMetrics[chart].test(metric));
}

// The topics the pages follow: the Status page's four charts; the dashboard's CPU card.
export const statusPageTopic = getStatusTopicName(['cpu', 'memory', 'network', 'disks']);
export const statusCardsTopic = getStatusTopicName(['cpu']);
