import { abandonDeviceReads, type DeviceReadOp, startDeviceReads } from '../../native/native.ts';
import { ToolTimeoutError } from './run-tool.ts';

// What one read gave: its answer (null: it failed, or found nothing), or the deadline it missed
// (the thread it ran on was abandoned; the error's `exited` settles when that thread ends).
export type DeviceReadOutcome =
  | { answer: object | null; timeout?: undefined }
  | { answer?: undefined; timeout: ToolTimeoutError };

// Threads one batch uses at most: a probe of a disk mostly waits on it, so several in flight
// hide each other's waits. Measured on 50 loop devices read through the device (each of
// libblkid's ~30 small reads a round trip through the loop's kernel worker) on the 2 shared
// cores, medians of 15 under a load average of 5-8: 1 thread 60-110 ms, 4 about 30, 8 37-42,
// 16 28-29. Probed through their backing files (loop_backing.c: page cache hits), the 50 take
// 4-7 ms on 1 to 16 threads alike (load 13): the threads cost nothing there.
const maxThreads = 16;

// The name a missed deadline gives (the row shows "blkid did not answer in 8 s").
const toolNames: Record<DeviceReadOp, string> = { probe: 'blkid', statfs: 'statfs', stat: 'stat' };

// Runs `requests` in order on one thread; when one misses its deadline, the thread is abandoned
// to it and the requests after it go on on a new thread.
async function runInOrder(
  requests: [DeviceReadOp, string][],
  timeoutMs: number,
  report: (index: number, outcome: DeviceReadOutcome) => void,
): Promise<void> {
  let start = 0;
  while (start < requests.length) {
    const slice = requests.slice(start);
    const hungAt = await new Promise<number>((resolve) => {
      let received = 0;
      let settled = false;
      let ended = () => {};
      const exited = new Promise<void>((done) => {
        ended = done;
      });
      const handle = startDeviceReads(slice, (index, answer) => {
        if (index < 0) {
          ended();
          if (!settled) {
            settled = true;
            clearTimeout(timer);
            resolve(-1);
          }
        } else if (!settled) {
          report(start + index, { answer });
          received = index + 1;
          // Each request has its own deadline, from the end of the one before it.
          timer.refresh();
        }
      });
      const timer = setTimeout(() => {
        settled = true;
        abandonDeviceReads(handle);
        const [op] = slice[received]!;
        report(start + received, { timeout: new ToolTimeoutError(toolNames[op], timeoutMs, exited) });
        resolve(received);
      }, timeoutMs);
    });
    if (hungAt < 0) return;
    start += hungAt + 1;
  }
}

// Runs reads that a hung device may block for good (libblkid's probe, statfs, stat) on native
// threads of their own, off the event loop and off libuv's pool, each with its deadline:
// requests are split in contiguous slices over at most 8 threads.
export async function runDeviceReads(
  requests: [DeviceReadOp, string][],
  timeoutMs: number,
  threads = maxThreads,
): Promise<DeviceReadOutcome[]> {
  const outcomes = new Array<DeviceReadOutcome>(requests.length);
  const count = Math.max(1, Math.min(threads, requests.length));
  const size = Math.ceil(requests.length / count);
  const slices: Promise<void>[] = [];
  for (let offset = 0; offset < requests.length; offset += size) {
    const slice = requests.slice(offset, offset + size);
    slices.push(runInOrder(slice, timeoutMs, (index, outcome) => (outcomes[offset + index] = outcome)));
  }
  await Promise.all(slices);
  return outcomes;
}
