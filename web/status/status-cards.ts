// The dashboard's compact status card: the CPU of the last 10 minutes, the load bars and
// the memory in use, live from the status feed; the Status page has the rest.
import { BarChart } from './bar-chart.ts';
import { formatBytes } from './format.ts';
import { StatusFeed } from './status-feed.ts';
import { createCpuChart, drawLoad } from './status-page.ts';
import { t } from '../i18n.ts';
import { setText } from './set-text.ts';

// Starts the card when the page has one.
export function startStatusCards(): void {
  const cpuElement = document.querySelector<HTMLElement>('[data-chart="cpu-card"]');
  if (!cpuElement) return;
  const cpu = createCpuChart(cpuElement, 110);
  const load = new BarChart(document.querySelector<HTMLElement>('[data-chart="load-card"]')!);
  const memory = document.getElementById('memory-card')!;
  new StatusFeed((samples) => {
    const latest = samples.at(-1)!;
    cpu.update(samples);
    drawLoad(load, latest);
    const total = latest.values['memory.total'] ?? 0;
    setText(
      memory,
      t('status.memory.inUse', {
        used: formatBytes(total - (latest.values['memory.available'] ?? 0)),
        total: formatBytes(total),
      }),
    );
  });
}
