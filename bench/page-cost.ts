// What an open page costs the browser, as a person's machine pays it: the main thread's time
// per second from a Chromium trace (script, style, layout, paint and the rest, each task's
// own time), the raster done on other threads, and the CPU share of the page's renderer
// process and of the GPU (display compositor) process from /proc/PID/stat.
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';

// Seconds of main-thread time, by kind, and the processes' CPU shares (percent of a core).
export interface PageCost {
  seconds: number;
  mainMsPerSecond: number;
  byKind: Record<Kind, number>;
  rasterMsPerSecond: number;
  rendererCpu: number;
  gpuCpu: number;
}

type Kind = 'script' | 'style' | 'layout' | 'paint' | 'other';

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  // The thread's CPU time in the event (wall time `dur` counts the time the thread waited
  // for a core: on a loaded machine, many times its work).
  tdur?: number;
  args?: { name?: string; data?: { frames?: { processId: number; url: string; parent?: string }[] } };
}

const categories = [
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'disabled-by-default-devtools.timeline.frame',
  'toplevel',
  'v8.execute',
  'disabled-by-default-v8.gc',
];

// Event names by kind; a task's time not inside any of them is "other" (its scheduling, IPC).
const kinds: [Kind, RegExp][] = [
  [
    'script',
    new RegExp(
      String.raw`^(FunctionCall|EvaluateScript|TimerFire|EventDispatch|FireAnimationFrame|RunMicrotasks|V8\.|v8\.|` +
        'MajorGC|MinorGC|GCEvent|CompileScript|ScheduleStyleRecalculation|XHRReadyStateChange)',
    ),
  ],
  ['style', /^(UpdateLayoutTree|RecalculateStyles|ParseAuthorStyleSheet|StyleRecalc|Document::updateStyle)/],
  ['layout', /^(Layout|UpdateLayout|LocalFrameView::layout)/],
  ['paint', /^(Paint|PrePaint|Layerize|UpdateLayer|UpdateLayerTree|CompositeLayers|Commit|Decode|Raster|PaintImage)/],
];

function getKind(name: string): Kind | null {
  return kinds.find(([, pattern]) => pattern.test(name))?.[0] ?? null;
}

// A process's CPU time so far, in seconds (utime + stime of /proc/PID/stat: all its threads).
async function getCpuSeconds(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

// Traces `page` (already showing what is to be measured) for `seconds`.
export async function measurePageCost(browser: Browser, page: Page, seconds = 30): Promise<PageCost> {
  // A first short trace names the processes: the page's renderer and the GPU process.
  const processes = getProcesses(await trace(browser, page, 1), page.url());
  const before = await Promise.all([processes.renderer, processes.gpu].map(getCpuSeconds));
  const started = performance.now();
  const events = await trace(browser, page, seconds);
  const after = await Promise.all([processes.renderer, processes.gpu].map(getCpuSeconds));
  const elapsed = (performance.now() - started) / 1000;
  const share = (index: number) => ((after[index]! - before[index]!) * 100) / elapsed;

  const ownMain = getOwnTimes(events.filter((event) => isOn(event, processes.renderer, processes.main)));
  const byKind: Record<Kind, number> = { script: 0, style: 0, layout: 0, paint: 0, other: 0 };
  for (const [name, ms] of ownMain) byKind[getKind(name) ?? 'other'] += ms / seconds;
  const raster = events
    .filter((event) => event.pid === processes.renderer && event.tid !== processes.main)
    .filter((event) => event.ph === 'X' && /^RasterTask$|^RasterizerTask/.test(event.name))
    .reduce((sum, event) => sum + (event.tdur ?? event.dur ?? 0) / 1000, 0);
  return {
    seconds,
    mainMsPerSecond: Object.values(byKind).reduce((sum, ms) => sum + ms, 0),
    byKind,
    rasterMsPerSecond: raster / seconds,
    rendererCpu: share(0),
    gpuCpu: share(1),
  };
}

async function trace(browser: Browser, page: Page, seconds: number): Promise<TraceEvent[]> {
  await browser.startTracing(page, { categories });
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const parsed = JSON.parse((await browser.stopTracing()).toString()) as { traceEvents: TraceEvent[] } | TraceEvent[];
  return Array.isArray(parsed) ? parsed : parsed.traceEvents;
}

function isOn(event: TraceEvent, pid: number, tid: number): boolean {
  return event.pid === pid && event.tid === tid && event.ph === 'X' && event.dur !== undefined;
}

// The page's renderer (the process of its main frame), its main thread, and the GPU process.
function getProcesses(events: TraceEvent[], url: string): { renderer: number; main: number; gpu: number } {
  const frames = events.flatMap((event) => event.args?.data?.frames ?? []);
  const renderer = (
    frames.find((frame) => !frame.parent && frame.url === url) ?? frames.find((frame) => frame.url === url)
  )?.processId;
  const threads = events.filter((event) => event.ph === 'M' && event.name === 'thread_name');
  const main = threads.find((event) => event.pid === renderer && event.args?.name === 'CrRendererMain')?.tid;
  const gpu = events.find(
    (event) => event.ph === 'M' && event.name === 'process_name' && event.args?.name === 'GPU Process',
  )?.pid;
  if (renderer === undefined || main === undefined || gpu === undefined)
    throw new Error(
      `cannot find the renderer of ${url} or the GPU process in the trace: frames ${JSON.stringify(frames)}, ` +
        `threads ${JSON.stringify(threads.map((event) => [event.pid, event.tid, event.args?.name]))}`,
    );
  return { renderer, main, gpu };
}

// Each event's own thread time (its CPU time less its children's), summed by name, in ms;
// time in a top-level task outside any named child is the task's own ("other"). Events are
// nested by their wall times.
function getOwnTimes(events: TraceEvent[]): Map<string, number> {
  const sorted = [...events].sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const own = new Map<string, number>();
  const stack: { end: number; name: string; children: number; cpu: number }[] = [];
  const close = (until: number) => {
    while (stack.length > 0 && stack.at(-1)!.end <= until) {
      const done = stack.pop()!;
      own.set(done.name, (own.get(done.name) ?? 0) + Math.max(0, done.cpu - done.children) / 1000);
    }
  };
  for (const event of sorted) {
    close(event.ts);
    const parent = stack.at(-1);
    // A child that outlasts its parent (clock rounding) is cut at the parent's end.
    const dur = parent ? Math.min(event.dur!, parent.end - event.ts) : event.dur!;
    const cpu = Math.min(event.tdur ?? dur, parent ? parent.cpu - parent.children : Infinity);
    if (parent) parent.children += cpu;
    stack.push({ end: event.ts + dur, name: event.name, children: 0, cpu });
  }
  close(Infinity);
  return own;
}
