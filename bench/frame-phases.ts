// One renderer's frames in a Chromium trace, phase by phase (thread CPU time, ms): what a
// pushed row's frame costs an accounts page (pages-frames.ts).
import type { Browser, Page } from 'playwright-core';

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  tdur?: number;
  args?: { name?: string; beginData?: { dirtyObjects?: number; totalObjects?: number } };
}

// The phases summed, in the order Chromium runs them; `frame` is BeginMainFrame whole.
export const phaseNames = {
  script: 'FunctionCall',
  frame: 'ProxyMain::BeginMainFrame',
  style: 'UpdateLayoutTree',
  layout: 'Layout',
  prePaint: 'PrePaint',
  paint: 'Paint',
  layerize: 'Layerize',
} as const;

export type Phases = Record<keyof typeof phaseNames, number> & { frames: number; layoutObjects: number };

const categories = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink', 'cc', 'toplevel', 'v8'];

// Starts tracing `page`'s renderer.
export function startFrameTrace(browser: Browser, page: Page): Promise<void> {
  return browser.startTracing(page, { categories });
}

// Stops the trace and sums each phase's thread time on the busiest renderer main thread (the
// traced page's), with the frames counted and the layout objects of its last layout.
export async function stopFrameTrace(browser: Browser): Promise<Phases> {
  const parsed = JSON.parse((await browser.stopTracing()).toString()) as { traceEvents: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : parsed.traceEvents;
  const mains = new Set(
    events
      .filter((event) => event.ph === 'M' && event.name === 'thread_name' && event.args?.name === 'CrRendererMain')
      .map((event) => `${event.pid}/${event.tid}`),
  );
  const counts = new Map<string, number>();
  for (const event of events) {
    const key = `${event.pid}/${event.tid}`;
    if (mains.has(key)) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const main = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
  const phases = { frames: 0, layoutObjects: 0 } as Phases;
  for (const key of Object.keys(phaseNames)) phases[key as keyof typeof phaseNames] = 0;
  for (const event of events) {
    if (event.ph !== 'X' || `${event.pid}/${event.tid}` !== main) continue;
    for (const [key, name] of Object.entries(phaseNames))
      if (event.name === name) phases[key as keyof typeof phaseNames] += (event.tdur ?? 0) / 1000;
    if (event.name === phaseNames.frame) phases.frames += 1;
    if (event.name === 'Layout') phases.layoutObjects = event.args?.beginData?.totalObjects ?? 0;
  }
  return phases;
}
