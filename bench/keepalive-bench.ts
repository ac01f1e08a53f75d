// The keep-alive benchmark (`npm run bench -- keepalive`): licornd's /login/ against a bare
// Fastify serving a page of the same size, every server started afresh each round (two), loaded
// `LICORN_BENCH_KEEPALIVE_WARMUP` seconds each unmeasured (20: the figure is a running server's,
// as an admin meets a daemon; 0 measures the JIT's cold start), then autocannon -c 50 in
// interleaved slices (`_SLICES` of `_SECONDS`: 15 of 3; interleaved-keepalive.ts says why): the
// slices' ratios (their median decides), the servers' CPU per request (/proc/PID/stat around
// each slice: what a request costs whatever else the shared machine runs; and the main
// thread's alone, the rest being mostly V8's GC helpers), their peak RSS (VmHWM) and their start
// to listening. A third server in the rotation, bare Fastify sending licornd's answer (its
// header lines and token cookie, by licornd's plugins: baseline-server.ts --same-answer), splits
// licornd's gap into what its answer carries and what its request path costs.
// `LICORN_BENCH_PROFILE_DIR=dir` has every daemon write a CPU profile
// (`node --cpu-prof`); `LICORN_BENCH_KEEPALIVE_COMPARE=path` runs another build's
// `dist/server/main.js` too (a checkout of the commit before, with the same node_modules and
// build/), in the same slices' rotation; `LICORN_BENCH_KEEPALIVE_COMPARE_FLAGS="--max-semi-space-size=8"`
// runs it (this build without _COMPARE) with more node flags, which come after licornd's.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWebBundle } from '../web/build.ts';
import { buildServerBundle } from '../server/build.ts';
import { measureInterleaved, type InterleavedFigures, type InterleavedSettings } from './interleaved-keepalive.ts';
import { daemonScript, getMemory, prepareWebPair, startServer, type ServerProcess } from './processes.ts';
import { median, quantile } from './statistics.ts';
import { readBenchCount } from './bench-settings.ts';

// One round's figures of a server: its interleaved slices' (interleaved-keepalive.ts), its
// peak RSS (VmHWM) after them and its start to listening.
interface Figures extends InterleavedFigures {
  startMs: number;
  peakMiB: number;
}

// The servers of a round: each script with its arguments and node flags.
type ServerSpec = [script: string, args: string[], nodeArgs: string[]];

// Starts every server afresh, measures them interleaved and stops them: each one's figures and
// its slices' ratios to the last server's (the baseline).
async function measureRound(specs: ServerSpec[], settings: InterleavedSettings) {
  const servers: ServerProcess[] = [];
  try {
    for (const [script, args, nodeArgs] of specs) servers.push(await startServer(script, args, {}, nodeArgs));
    const { figures, ratios } = await measureInterleaved(servers, settings);
    const withStart: Figures[] = [];
    for (const [index, server] of servers.entries()) {
      const { peakMiB } = await getMemory(server.child.pid!);
      withStart.push({ ...figures[index]!, startMs: server.startMs, peakMiB });
    }
    return { figures: withStart, ratios };
  } finally {
    for (const server of servers) await server.stop();
  }
}

// The other build's arguments: licornd's, with a configuration of its own without the local
// sockets, which licornd holds meanwhile.
async function getOtherArgs(dir: string, daemonArgs: string[]): Promise<string[]> {
  const configFile = join(dir, 'licorn-other.conf');
  await writeFile(configFile, 'log.level = "warn"\ncli.socket = ""\ncli.inside_socket = ""\n');
  return daemonArgs.map((arg, index) => (daemonArgs[index - 1] === '--config' ? configFile : arg));
}

// A server's figures of a round, as a line.
const describeFigures = (name: string, f: Figures, ratios: number[]) =>
  `${name} ${f.rate.toFixed(0)} req/s, ${f.cpuUsPerRequest.toFixed(1)} µs CPU/req (main thread ` +
  `${f.mainUsPerRequest.toFixed(1)}), peak RSS ${f.peakMiB.toFixed(1)} MiB, start ${f.startMs.toFixed(0)} ms` +
  (ratios.length > 0
    ? `; slices' median ratio ${median(ratios).toFixed(2)}× (${ratios.map((r) => r.toFixed(2)).join(' ')})`
    : '');

// Runs the keep-alive benchmark and prints each round and the medians.
export async function runKeepAliveBench(): Promise<void> {
  const rounds = readBenchCount('LICORN_BENCH_KEEPALIVE_ROUNDS', 2);
  const settings: InterleavedSettings = {
    // 15 a round: the median of 20 slices still moved ±0.04 between runs (twentieth session).
    slices: readBenchCount('LICORN_BENCH_KEEPALIVE_SLICES', 15),
    sliceSeconds: readBenchCount('LICORN_BENCH_KEEPALIVE_SECONDS', 3),
    warmUpSeconds: readBenchCount('LICORN_BENCH_KEEPALIVE_WARMUP', 20, 0),
  };
  await buildWebBundle();
  await buildServerBundle();
  const dir = await mkdtemp(join(tmpdir(), 'licorn-bench-'));
  try {
    const { daemonArgs, baselineScript, baselineArgs, loginBytes } = await prepareWebPair(dir);
    const profileDir = process.env.LICORN_BENCH_PROFILE_DIR;
    const daemonNodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
    // Another build, or this one under other node flags (a GC setting weighed in the same slices).
    const compareFlags = process.env.LICORN_BENCH_KEEPALIVE_COMPARE_FLAGS?.split(/\s+/).filter(Boolean);
    const compareScript = process.env.LICORN_BENCH_KEEPALIVE_COMPARE ?? (compareFlags ? daemonScript : undefined);
    const compareNodeArgs = [...daemonNodeArgs, ...(compareFlags ?? [])];
    // licornd, the other build if any, Fastify with licornd's answer, then the baseline (last:
    // the ratios' denominator).
    const specs: ServerSpec[] = [
      [daemonScript, daemonArgs, daemonNodeArgs],
      ...(compareScript ? [[compareScript, await getOtherArgs(dir, daemonArgs), compareNodeArgs] as ServerSpec] : []),
      [baselineScript, [...baselineArgs, '--same-answer'], []],
      [baselineScript, baselineArgs, []],
    ];
    const otherName = compareFlags ? `licornd ${compareFlags.join(' ')}` : 'the other build';
    const names = ['licornd', ...(compareScript ? [otherName] : []), "Fastify with licornd's answer", 'Fastify'];
    const { slices, sliceSeconds, warmUpSeconds } = settings;
    process.stdout.write(
      `Keep-alive: autocannon -c 50 on /login/ (${loginBytes} bytes), ${slices} slices of ${sliceSeconds} s ` +
        `on each server in turn after ${warmUpSeconds} s unmeasured on each, servers started afresh each round\n`,
    );
    const figures: Figures[][] = specs.map(() => []);
    const ratios: number[][] = specs.map(() => []);
    for (let round = 1; round <= rounds; round++) {
      const measured = await measureRound(specs, settings);
      const lines = measured.figures.map((f, index) => {
        figures[index]!.push(f);
        const own = index < specs.length - 1 ? measured.ratios[index]! : [];
        ratios[index]!.push(...own);
        return describeFigures(names[index]!, f, own);
      });
      process.stdout.write(`round ${round}: ${lines.join('; ')}\n`);
    }
    const middle = (index: number, key: keyof Figures) => median(figures[index]!.map((f) => f[key]));
    const baseline = specs.length - 1;
    const sameAnswer = baseline - 1;
    for (let index = 0; index < baseline; index++) {
      const own = ratios[index]!;
      // This server's median of `key` against the baseline's.
      const against = (key: keyof Figures, digits: number) =>
        `${middle(index, key).toFixed(digits)} against ${middle(baseline, key).toFixed(digits)}`;
      process.stdout.write(
        `${names[index]}: median ratio of ${own.length} slices ${median(own).toFixed(2)}× (quartiles ` +
          `${quantile(own, 0.25).toFixed(2)}–${quantile(own, 0.75).toFixed(2)})` +
          `${index === 0 ? ' (target ≥ 0.8×)' : ''}; CPU per request ${against('cpuUsPerRequest', 1)} µs ` +
          `(main threads ${against('mainUsPerRequest', 1)} µs); peak RSS ${against('peakMiB', 1)} MiB; ` +
          `start to listening ${against('startMs', 0)} ms (target ≤ 1000 ms)\n`,
      );
    }
    // Each slice's licornd against the same answer from Fastify, seconds apart.
    const pathRatios = ratios[0]!.map((ratio, slice) => ratio / ratios[sameAnswer]![slice]!);
    process.stdout.write(
      `licornd against Fastify with its answer (its request path alone): median ratio ` +
        `${median(pathRatios).toFixed(2)}× (quartiles ${quantile(pathRatios, 0.25).toFixed(2)}–` +
        `${quantile(pathRatios, 0.75).toFixed(2)})\n`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
