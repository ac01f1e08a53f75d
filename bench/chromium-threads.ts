// The CPU time of the Chromium processes a bench started (the browser and its descendants),
// by thread: what 20 open pages cost the machine beside each page's own frame.
import { readdir, readFile } from 'node:fs/promises';

// /proc/PID/stat's fields after the command name; utime and stime are the 12th and 13th.
function getTimes(stat: string): { parent: number; cpuMs: number } {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { parent: Number(fields[1]), cpuMs: (Number(fields[11]) + Number(fields[12])) * 10 };
}

// The pids of the chromium processes under `ancestor` (this process, which launched them).
export async function getChromiumPids(ancestor = process.pid): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => null);
    if (stat?.includes('(chromium)')) parents.set(Number(name), getTimes(stat).parent);
  }
  const isBelow = (pid: number) => {
    for (let at = parents.get(pid); at; at = parents.get(at)) if (at === ancestor) return true;
    return false;
  };
  return [...parents.keys()].filter(isBelow);
}

// CPU ms so far of every thread of `pids`, summed by thread name ("chromium" is each process's
// main thread: the renderers' CrRendererMain, the browser's UI thread; "Compositor";
// "ThreadPoolForeg" the raster and other workers; "VizCompositorTh" the display compositor).
export async function getThreadCpuMs(pids: readonly number[]): Promise<Map<string, number>> {
  const byName = new Map<string, number>();
  for (const pid of pids) {
    const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
    for (const task of tasks) {
      const stat = await readFile(`/proc/${pid}/task/${task}/stat`, 'utf8').catch(() => null);
      if (!stat) continue;
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      byName.set(name, (byName.get(name) ?? 0) + getTimes(stat).cpuMs);
    }
  }
  return byName;
}
