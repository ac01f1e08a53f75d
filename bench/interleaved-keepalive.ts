// Keep-alive throughput of servers that run side by side, measured in short interleaved slices:
// the shared host's speed moves ±40 % from one minute to the next, and a 10 s load on one
// server then the other put that swing into their ratio (0.63–1.19 between rounds of one run,
// bench/README.md, nineteenth session). Each slice is one autocannon -c 50 on /login/; the
// servers take their slices in turn, which goes first rotating, so each ratio compares loads a
// few seconds apart.
import { runAutocannonCounted } from './load-tools.ts';
import { getCpuMs, getMainThreadCpuMs, type ServerProcess } from './processes.ts';

export interface InterleavedSettings {
  // Slices per server, and each one's length.
  slices: number;
  sliceSeconds: number;
  // Unmeasured load on each server before, in slices of up to 5 s taken in turn: licornd's
  // longer request path takes ~20 s of load to reach its warm speed, Fastify's a few.
  warmUpSeconds: number;
}

export interface InterleavedFigures {
  // Requests answered over the measured seconds.
  rate: number;
  // Its CPU per request over the slices (/proc/PID/stat), and its main thread's alone.
  cpuUsPerRequest: number;
  mainUsPerRequest: number;
}

// One server's slice: requests answered and the CPU it used meanwhile.
async function measureSlice(server: ServerProcess, seconds: number) {
  const pid = server.child.pid!;
  const [cpuBefore, mainBefore] = [await getCpuMs(pid), await getMainThreadCpuMs(pid)];
  const { requests } = await runAutocannonCounted(server.port, seconds);
  return { requests, cpuMs: (await getCpuMs(pid)) - cpuBefore, mainMs: (await getMainThreadCpuMs(pid)) - mainBefore };
}

// Warms `servers` up, then measures each in `slices` interleaved slices: each server's figures
// and, for each slice round, the ratio of every server's requests to the last one's (the
// baseline), whose median decides.
export async function measureInterleaved(
  servers: ServerProcess[],
  { slices, sliceSeconds, warmUpSeconds }: InterleavedSettings,
): Promise<{ figures: InterleavedFigures[]; ratios: number[][] }> {
  for (let left = warmUpSeconds; left > 0; left -= 5) {
    for (const server of servers) await runAutocannonCounted(server.port, Math.min(5, left));
  }
  const totals = servers.map(() => ({ requests: 0, cpuMs: 0, mainMs: 0 }));
  const ratios: number[][] = servers.map(() => []);
  for (let slice = 0; slice < slices; slice++) {
    const requests: number[] = [];
    for (let turn = 0; turn < servers.length; turn++) {
      const index = (slice + turn) % servers.length;
      const measured = await measureSlice(servers[index]!, sliceSeconds);
      requests[index] = measured.requests;
      const total = totals[index]!;
      total.requests += measured.requests;
      total.cpuMs += measured.cpuMs;
      total.mainMs += measured.mainMs;
    }
    for (const [index, count] of requests.entries()) ratios[index]!.push(count / requests.at(-1)!);
  }
  const figures = totals.map(({ requests, cpuMs, mainMs }) => ({
    rate: requests / (slices * sliceSeconds),
    cpuUsPerRequest: (cpuMs * 1000) / requests,
    mainUsPerRequest: (mainMs * 1000) / requests,
  }));
  return { figures, ratios };
}
