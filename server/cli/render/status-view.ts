import { formatBytes } from './columns.ts';
import { paint, type Output } from './output.ts';
import { getTerminalText } from '../../core/text/terminal-text.ts';

// What GET /api/v1/status answers: the sample's time and its figures by metric name.
export interface StatusAnswer {
  time: number;
  values: Record<string, number>;
}

// The daemon's figures and the machine's as a few labelled lines (`licorn get status`, and
// each frame of `get status -m`); a figure the daemon did not send shows as "-".
export function renderStatus(output: Output, status: StatusAnswer, host: string): string[] {
  const value = (name: string) => status.values[name];
  const show = (name: string, format: (figure: number) => string) => {
    const figure = value(name);
    return figure === undefined ? '-' : format(figure);
  };
  const rate = (figure: number) => `${figure.toFixed(figure < 10 ? 1 : 0)}/s`;
  const bytes = (figure: number) => formatBytes(figure);
  const label = (text: string) => paint(output, 'bold', text.padEnd(12));
  // A name may be a mount point or an interface's: anything a device or a user chose.
  const figure = (name: string, text: string) => `${paint(output, 'dim', getTerminalText(name))} ${text}`;
  const line = (title: string, figures: string[]) => `${label(title)}${figures.join('   ')}`;
  const cpuBusy = value('cpu.idle') === undefined ? '-' : `${Math.round(100 - value('cpu.idle')!)} %`;
  const when = new Date(status.time).toISOString().replace('T', ' ').slice(0, 19);
  const lines = [
    `${paint(output, 'cyan', `licornd on ${getTerminalText(host)}`)}   ${when} UTC`,
    line('Daemon', [
      figure('uptime', show('daemon.uptime', formatDuration)),
      figure(
        'loop delay p99',
        show('daemon.loopDelayP99', (ms) => `${ms} ms`),
      ),
      figure('RSS', show('daemon.rss', bytes)),
      figure('heap', show('daemon.heap', bytes)),
    ]),
    line('', [
      figure('sessions', show('daemon.sessions', String)),
      figure('sockets', show('daemon.sockets', String)),
      figure('watches', show('daemon.watches', String)),
      figure('requests', show('daemon.requests', rate)),
      figure('events', show('daemon.events', rate)),
    ]),
    line('Machine', [
      figure('CPU', `${cpuBusy} of ${show('cpu.cores', String)} cores`),
      figure('load', ['load.1', 'load.5', 'load.15'].map((name) => show(name, (load) => load.toFixed(2))).join(' ')),
      figure('tasks', `${show('tasks.running', String)} running of ${show('tasks.total', String)}`),
    ]),
    line('', [
      figure('memory', `${show('memory.used', bytes)} of ${show('memory.total', bytes)}`),
      figure('swap', `${show('swap.used', bytes)} of ${show('swap.total', bytes)}`),
    ]),
  ];
  for (const group of deviceGroups) {
    const first = `.${group.parts[0]}`;
    // A filesystem that did not answer statfs has no figures, only `.notAnswering`.
    const suffixes = [first, '.notAnswering'];
    const found = Object.keys(status.values).flatMap((key) => {
      const suffix = suffixes.find((end) => key.startsWith(group.prefix) && key.endsWith(end));
      return suffix ? [key.slice(group.prefix.length, -suffix.length)] : [];
    });
    const names = [...new Set(found)].sort();
    names.slice(0, maxDevices).forEach((name, index) => {
      const get = (part: string) => value(`${group.prefix}${name}.${part}`);
      lines.push(line(index === 0 ? group.title : '', [figure(name, group.describe(get))]));
    });
    const more = names.length - maxDevices;
    if (more > 0) lines.push(line('', [paint(output, 'dim', `… ${more} more`)]));
  }
  return lines;
}

// Lines per group of devices at most: a machine with 50 loop devices still fits a screen.
const maxDevices = 6;

// The per-device groups of figures (status samplers' metric names: `net.<name>.rx`…).
const deviceGroups: { title: string; prefix: string; parts: string[]; describe(get: Get): string }[] = [
  {
    title: 'Network',
    prefix: 'net.',
    parts: ['rx', 'tx'],
    describe: (get) => `in ${formatBytes(get('rx'))}/s, out ${formatBytes(get('tx'))}/s`,
  },
  {
    title: 'Disks',
    prefix: 'disk.',
    parts: ['read', 'write'],
    describe: (get) => `read ${formatBytes(get('read'))}/s, write ${formatBytes(get('write'))}/s`,
  },
  {
    title: 'Filesystems',
    prefix: 'fs.',
    parts: ['size', 'used'],
    describe: (get) =>
      get('notAnswering') ? 'not answering' : `${formatBytes(get('used'))} used of ${formatBytes(get('size'))}`,
  },
];
type Get = (part: string) => number | undefined;

// Seconds as "3d 4h", "2h 05m", "4m 09s".
export function formatDuration(seconds: number): string {
  const whole = Math.floor(seconds);
  const [days, hours, minutes, rest] = [whole / 86_400, (whole % 86_400) / 3600, (whole % 3600) / 60, whole % 60].map(
    Math.floor,
  ) as [number, number, number, number];
  const two = (figure: number) => String(figure).padStart(2, '0');
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${two(minutes)}m`;
  return `${minutes}m ${two(rest)}s`;
}
