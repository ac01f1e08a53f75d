// The keep-alive benchmark (`npm run bench -- keepalive`): licornd's /login/ against a bare
// Fastify serving a page of the same size, autocannon (50 connections, 10 s) on one, then
// the other, five rounds in one run; each round's ratio, the servers' CPU per request
// (/proc/PID/stat around the load: what a request costs whatever else the shared machine
// runs; and the main thread's alone, the rest being mostly V8's GC helpers), their peak RSS
// (VmHWM) and their start to listening, then the medians. `LICORN_BENCH_PROFILE_DIR=dir` has
// every daemon write a CPU profile (`node --cpu-prof`) of its start and its load;
// `LICORN_BENCH_KEEPALIVE_COMPARE=path` loads another build's `dist/server/main.js` too (a
// checkout of the commit before, with the same node_modules and build/) in each round, before
// or after ours in turn. Each server, licornd and Fastify alike, is first loaded for
// `LICORN_BENCH_KEEPALIVE_WARMUP` seconds (5) unmeasured: the figure is a running server's, as
// the web bench's (its autocannon comes after httperf and ab) and as an admin meets a daemon
// that has run for more than a few seconds. In a server's first seconds the JIT's warm-up costs
// licornd (more code on the request path) about twice what it costs Fastify; 0 measures that
// cold start instead (bench/README.md, seventeenth and eighteenth sessions).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWebBundle } from '../web/build.ts';
import { buildServerBundle } from '../server/build.ts';
import { runAutocannonCounted } from './load-tools.ts';
import { daemonScript, getCpuMs, getMainThreadCpuMs, getMemory, prepareWebPair, startServer } from './processes.ts';
import { describeRatios, median } from './statistics.ts';
import { readBenchCount } from './bench-settings.ts';

// How long each server is loaded, measured, and unmeasured before it.
interface LoadSeconds {
  seconds: number;
  warmUpSeconds: number;
}

interface Figures {
  rate: number;
  cpuUsPerRequest: number;
  // Of which the main thread's (the rest: V8's GC helper threads, libuv's pool).
  mainUsPerRequest: number;
  startMs: number;
  peakMiB: number;
}

// Starts `script`, loads its /login/ with autocannon and stops it.
async function measureOne(
  script: string,
  args: string[],
  nodeArgs: string[],
  { seconds, warmUpSeconds }: LoadSeconds,
): Promise<Figures> {
  const server = await startServer(script, args, {}, nodeArgs);
  try {
    const pid = server.child.pid!;
    if (warmUpSeconds > 0) await runAutocannonCounted(server.port, warmUpSeconds);
    const [cpuBefore, mainBefore] = [await getCpuMs(pid), await getMainThreadCpuMs(pid)];
    const { rate, requests } = await runAutocannonCounted(server.port, seconds);
    const cpuMs = (await getCpuMs(pid)) - cpuBefore;
    const mainMs = (await getMainThreadCpuMs(pid)) - mainBefore;
    const { peakMiB } = await getMemory(pid);
    const perRequest = (ms: number) => (ms * 1000) / requests;
    return {
      rate,
      cpuUsPerRequest: perRequest(cpuMs),
      mainUsPerRequest: perRequest(mainMs),
      startMs: server.startMs,
      peakMiB,
    };
  } finally {
    await server.stop();
  }
}

// Runs the keep-alive benchmark and prints each round and the medians.
export async function runKeepAliveBench(): Promise<void> {
  const rounds = readBenchCount('LICORN_BENCH_KEEPALIVE_ROUNDS', 5);
  const load = {
    seconds: readBenchCount('LICORN_BENCH_KEEPALIVE_SECONDS', 10),
    warmUpSeconds: readBenchCount('LICORN_BENCH_KEEPALIVE_WARMUP', 5, 0),
  };
  const { seconds, warmUpSeconds } = load;
  await buildWebBundle();
  await buildServerBundle();
  const dir = await mkdtemp(join(tmpdir(), 'licorn-bench-'));
  try {
    const { daemonArgs, baselineScript, baselineArgs, loginBytes } = await prepareWebPair(dir);
    const profileDir = process.env.LICORN_BENCH_PROFILE_DIR;
    const daemonNodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];

    const compareScript = process.env.LICORN_BENCH_KEEPALIVE_COMPARE;
    const ours: Figures[] = [];
    const theirs: Figures[] = [];
    const before: Figures[] = [];
    const warmUp = warmUpSeconds > 0 ? `, after ${warmUpSeconds} s unmeasured` : '';
    process.stdout.write(
      `Keep-alive: autocannon -c 50 -d ${seconds} on /login/ (${loginBytes} bytes)${warmUp}, in turn\n`,
    );
    for (let round = 1; round <= rounds; round++) {
      theirs.push(await measureOne(baselineScript, baselineArgs, [], load));
      // The two builds in turn, each first in every other round: the machine's load moves.
      const measureOther = async () => before.push(await measureOne(compareScript!, daemonArgs, daemonNodeArgs, load));
      if (compareScript && round % 2 === 0) await measureOther();
      ours.push(await measureOne(daemonScript, daemonArgs, daemonNodeArgs, load));
      if (compareScript && round % 2 === 1) await measureOther();
      if (compareScript) {
        const other = before.at(-1)!;
        process.stdout.write(
          `round ${round}: the other build ${other.rate.toFixed(0)} req/s, ${other.cpuUsPerRequest.toFixed(1)} µs ` +
            `CPU/req (main thread ${other.mainUsPerRequest.toFixed(1)}), peak RSS ${other.peakMiB.toFixed(1)} MiB, ` +
            `start ${other.startMs.toFixed(0)} ms; ` +
            `ratio ${(other.rate / theirs.at(-1)!.rate).toFixed(2)}×\n`,
        );
      }
      const [a, b] = [ours.at(-1)!, theirs.at(-1)!];
      process.stdout.write(
        `round ${round}: licornd ${a.rate.toFixed(0)} req/s, ${a.cpuUsPerRequest.toFixed(1)} µs CPU/req ` +
          `(main thread ${a.mainUsPerRequest.toFixed(1)}), ` +
          `peak RSS ${a.peakMiB.toFixed(1)} MiB, start ${a.startMs.toFixed(0)} ms; Fastify ${b.rate.toFixed(0)} ` +
          `req/s, ${b.cpuUsPerRequest.toFixed(1)} µs CPU/req (main thread ${b.mainUsPerRequest.toFixed(1)}), ` +
          `peak RSS ${b.peakMiB.toFixed(1)} MiB, ` +
          `start ${b.startMs.toFixed(0)} ms; ` +
          `ratio ${(a.rate / b.rate).toFixed(2)}×\n`,
      );
    }
    const ratios = ours.map((figures, index) => figures.rate / theirs[index]!.rate);
    process.stdout.write(
      `median: ratio ${describeRatios(ratios)} (target ≥ 0.8×); CPU per request ` +
        `${median(ours.map((f) => f.cpuUsPerRequest)).toFixed(1)} µs against ` +
        `${median(theirs.map((f) => f.cpuUsPerRequest)).toFixed(1)} µs (main threads ` +
        `${median(ours.map((f) => f.mainUsPerRequest)).toFixed(1)} against ` +
        `${median(theirs.map((f) => f.mainUsPerRequest)).toFixed(1)} µs); peak RSS ` +
        `${median(ours.map((f) => f.peakMiB)).toFixed(1)} MiB against ` +
        `${median(theirs.map((f) => f.peakMiB)).toFixed(1)} MiB; start to listening ` +
        `${median(ours.map((f) => f.startMs)).toFixed(0)} ms against ` +
        `${median(theirs.map((f) => f.startMs)).toFixed(0)} ms (target ≤ 1000 ms)\n`,
    );
    if (before.length > 0) {
      const ratiosBefore = before.map((figures, index) => figures.rate / theirs[index]!.rate);
      process.stdout.write(
        `the other build, median: ratio ${describeRatios(ratiosBefore)}; CPU per request ` +
          `${median(before.map((f) => f.cpuUsPerRequest)).toFixed(1)} µs (main thread ` +
          `${median(before.map((f) => f.mainUsPerRequest)).toFixed(1)}); peak RSS ` +
          `${median(before.map((f) => f.peakMiB)).toFixed(1)} MiB; start ` +
          `${median(before.map((f) => f.startMs)).toFixed(0)} ms\n`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
