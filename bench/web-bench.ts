// The web benchmark: licornd against a bare Fastify HTTPS baseline serving a page of the size
// of our /login/, measured in the same run on the same certificate: the seed's httperf
// command (verbatim, --rate 1000) and a sweep of rates for each server's capacity, ab,
// autocannon keep-alive, start to listening, and the daemon's peak RSS, in several rounds, each
// load on one server then the other; the medians and the spread of the rounds' ratios.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWebBundle } from '../web/build.ts';
import { buildServerBundle } from '../server/build.ts';
import { offerHttperfRate, runAb, runHttperf } from './load-tools.ts';
import { measureInterleaved } from './interleaved-keepalive.ts';
import { daemonScript, getMemory, prepareWebPair, startServer, type ServerProcess } from './processes.ts';
import { printTable, type BenchRow } from './print-table.ts';
import { median } from './statistics.ts';
import { readBenchCount } from './bench-settings.ts';

// The new-connection rates offered to find each server's capacity (3 s each). Steps of 250
// from 1,000 (since the twenty-first session; 1,000, 1,500, 2,000 before): a server reaching
// 1,505 of 2,000 read 0.75× against one reaching 1,953, and its capacity ratio could only be
// 0.5, 0.67, 0.75, 1 or more.
const sweepRates = [250, 500, 1000, 1250, 1500, 1750, 2000];

// httperf and ab come from Debian; install them when missing and we may.
function ensureTools(): void {
  const missing = ['httperf', 'ab'].filter((tool) => {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0)
    throw new Error(`missing ${missing.join(', ')}: apt-get install -y httperf apache2-utils`);
  execFileSync('apt-get', ['install', '-y', '-qq', 'httperf', 'apache2-utils'], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

interface WebFigures {
  httperf: number;
  capacity: number;
  reached: number[];
  ab: number;
  autocannon: number;
  // The highest of VmHWM after the loads and VmRSS sampled every 250 ms during autocannon's.
  peakMiB: number;
  // VmHWM after the seed command, the sweep, ab and autocannon: which load made the peak.
  peaks: number[];
  startMs: number;
}

// A server's peak RSS so far (VmHWM), MiB.
const getPeak = async (server: ServerProcess) => (await getMemory(server.child.pid!)).peakMiB;

// Keep-alive in the web bench as the keepalive bench measures it (interleaved-keepalive.ts):
// 10 s more on each server unmeasured (httperf and ab made new connections; licornd's
// keep-alive path needs ~20 s of load to be warm, and the sweep gave it some), then 10 slices
// of 3 s each, in turn (6 until the twenty-first session: a round's median of 6 moved too much).
const keepAliveSettings = { slices: 10, sliceSeconds: 3, warmUpSeconds: 10 };

// The servers' keep-alive rates and the slices' median ratio (ours to the baseline's), their
// RSS sampled every 250 ms meanwhile (the highest seen).
async function runSampledKeepAlive(servers: ServerProcess[]) {
  const sampledMiB = servers.map(() => 0);
  const sampler = setInterval(() => {
    for (const [index, server] of servers.entries()) {
      void getMemory(server.child.pid!).then(
        (m) => {
          sampledMiB[index] = Math.max(sampledMiB[index]!, m.rssMiB);
        },
        () => {},
      );
    }
  }, 250);
  try {
    const { figures, ratios } = await measureInterleaved(servers, keepAliveSettings);
    return { rates: figures.map((f) => f.rate), ratio: median(ratios[0]!), sampledMiB };
  } finally {
    clearInterval(sampler);
  }
}

// One round: both servers started afresh, then every load (each rate of the sweep a load of its
// own) on one server then on the other, which goes first alternating from load to load, so that
// a pair's two figures are seconds apart whatever the shared machine does meanwhile.
// Also the keep-alive slices' median ratio, ours to the baseline's (runSampledKeepAlive).
async function measureRound(
  pair: [string, string[]][],
  round: number,
): Promise<{ figures: WebFigures[]; keepAliveRatio: number }> {
  const servers: ServerProcess[] = [];
  try {
    for (const [script, args] of pair) servers.push(await startServer(script, args));
    let turn = round;
    const each = async <T>(load: (server: ServerProcess) => Promise<T>): Promise<T[]> => {
      const results: T[] = [];
      const order = turn++ % 2 === 0 ? [0, 1] : [1, 0];
      for (const index of order) results[index] = await load(servers[index]!);
      return results;
    };
    const figures: WebFigures[] = servers.map((server) => ({
      ...{ httperf: 0, capacity: 0, reached: [], ab: 0, autocannon: 0, peakMiB: 0, peaks: [] },
      startMs: server.startMs,
    }));
    const notePeaks = async () => {
      for (const [index, server] of servers.entries()) figures[index]!.peaks.push(await getPeak(server));
    };
    (await each((server) => runHttperf(server.port))).forEach((rate, index) => (figures[index]!.httperf = rate));
    await notePeaks();
    for (const rate of sweepRates) {
      (await each((server) => offerHttperfRate(server.port, rate))).forEach(({ reached, kept }, index) => {
        figures[index]!.reached.push(reached);
        if (kept) figures[index]!.capacity = rate;
      });
    }
    await notePeaks();
    (await each((server) => runAb(server.port))).forEach((rate, index) => (figures[index]!.ab = rate));
    await notePeaks();
    const keepAlive = await runSampledKeepAlive(servers);
    figures.forEach((f, index) => {
      f.autocannon = keepAlive.rates[index]!;
      f.peakMiB = keepAlive.sampledMiB[index]!;
    });
    await notePeaks();
    for (const f of figures) f.peakMiB = Math.max(f.peakMiB, f.peaks.at(-1)!);
    return { figures, keepAliveRatio: keepAlive.ratio };
  } finally {
    for (const server of servers) await server.stop();
  }
}

// One figure of every round, ours and the baseline's, as a table row: each side's median and
// the median and spread of the rounds' ratios.
function roundsRow(name: string, target: string, ours: number[], theirs: number[]): BenchRow {
  const ratios = ours.map((value, index) => value / theirs[index]!);
  return { name, ours: median(ours), baseline: median(theirs), target, ratios };
}

// Runs the web benchmark and prints its table.
export async function runWebBench(): Promise<void> {
  // Rounds of every load on each server, in turn (LICORN_BENCH_WEB_ROUNDS): one round's figures
  // crossed their targets from one run to the next (fifteenth session).
  const rounds = readBenchCount('LICORN_BENCH_WEB_ROUNDS', 3);
  ensureTools();
  await buildWebBundle();
  await buildServerBundle();
  const dir = await mkdtemp(join(tmpdir(), 'licorn-bench-'));
  try {
    // Both servers run as plain JavaScript bundles built the same way, after a warm-up start;
    // each round starts both afresh and runs each load on one then the other (measureRound).
    const { daemonArgs, baselineScript, baselineArgs, loginBytes } = await prepareWebPair(dir);
    const ours: WebFigures[] = [];
    const theirs: WebFigures[] = [];
    const keepAliveRatios: number[] = [];
    process.stdout.write(`Web: ${rounds} rounds of every load on licornd and bare Fastify, load by load in turn\n`);
    for (let round = 1; round <= rounds; round++) {
      const pair: [string, string[]][] = [
        [daemonScript, daemonArgs],
        [baselineScript, baselineArgs],
      ];
      const { figures, keepAliveRatio } = await measureRound(pair, round);
      const [a, b] = figures as [WebFigures, WebFigures];
      ours.push(a);
      theirs.push(b);
      keepAliveRatios.push(keepAliveRatio);
      const peaks = (f: WebFigures) => f.peaks.map((peak) => peak.toFixed(0)).join(', ');
      const reached = (f: WebFigures) => f.reached.map((rate) => rate.toFixed(0)).join(', ');
      process.stdout.write(
        `round ${round} (licornd / Fastify): httperf ${a.httperf.toFixed(0)} / ${b.httperf.toFixed(0)} conn/s; ` +
          `capacity ${a.capacity} / ${b.capacity} (reached ${reached(a)} / ${reached(b)}); ` +
          `ab ${a.ab.toFixed(0)} / ${b.ab.toFixed(0)}; autocannon ${a.autocannon.toFixed(0)} / ` +
          `${b.autocannon.toFixed(0)} req/s (slices' median ${keepAliveRatio.toFixed(2)}×); ` +
          `peak RSS ${a.peakMiB.toFixed(1)} / ${b.peakMiB.toFixed(1)} MiB (after each load: ` +
          `${peaks(a)} / ${peaks(b)})\n`,
      );
    }
    type Key = keyof Omit<WebFigures, 'reached' | 'peaks'>;
    const side = (figures: WebFigures[], key: Key) => figures.map((f) => f[key]);
    const row = (name: string, target: string, key: Key) => roundsRow(name, target, side(ours, key), side(theirs, key));
    printTable(`Web: licornd against bare Fastify over HTTPS (same certificate; medians of ${rounds} rounds)`, [
      row('httperf seed command (--rate 1000), conn/s', '≥ 0.8×', 'httperf'),
      row('httperf capacity: highest rate kept (≥ 95 %, no error), conn/s', '≥ 0.8×', 'capacity'),
      row('ab -n 1000 -c 50, req/s', '—', 'ab'),
      {
        ...row('autocannon -c 50 keep-alive (interleaved slices), req/s', '≥ 0.8×', 'autocannon'),
        ratios: keepAliveRatios,
      },
      row("peak RSS under load (each round's), MiB", '≤ 150 MiB', 'peakMiB'),
      row('start to listening, ms', '≤ 1000 ms', 'startMs'),
    ]);
    process.stdout.write(
      `baseline page: ${loginBytes} bytes, as our /login/; httperf sweep offered ${sweepRates.join(', ')} ` +
        `conn/s; licornd's peak RSS per round: ${ours.map((f) => f.peakMiB.toFixed(1)).join(', ')} MiB\n`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
