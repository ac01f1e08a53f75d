// The web benchmark: licornd against a bare Fastify HTTPS baseline serving a page of the size
// of our /login/, measured in the same run on the same certificate: the seed's httperf
// command (verbatim, --rate 1000) and a sweep of rates for each server's capacity, ab,
// autocannon keep-alive, start to listening, and the daemon's peak RSS, with ratios.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWebBundle } from '../web/build.ts';
import { buildServerBundle } from '../server/build.ts';
import { runAb, runAutocannon, runHttperf, sweepHttperf } from './load-tools.ts';
import { daemonScript, getMemory, prepareWebPair, startServer, type ServerProcess } from './processes.ts';
import { printTable } from './print-table.ts';
// The new-connection rates offered to find each server's capacity (3 s each).
const sweepRates = [250, 500, 1000, 1500, 2000];

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

async function measure(
  server: ServerProcess,
  onPeak: (peak: number) => void,
): Promise<{ httperf: number; capacity: number; reached: number[]; ab: number; autocannon: number }> {
  const httperf = await runHttperf(server.port);
  const { capacity, reached } = await sweepHttperf(server.port, sweepRates);
  const ab = await runAb(server.port);
  let peak = 0;
  const sampler = setInterval(
    () =>
      void getMemory(server.child.pid!).then(
        (m) => {
          peak = Math.max(peak, m.rssMiB);
        },
        () => {},
      ),
    250,
  );
  const autocannon = await runAutocannon(server.port);
  clearInterval(sampler);
  onPeak(Math.max(peak, (await getMemory(server.child.pid!)).peakMiB));
  return { httperf, capacity, reached, ab, autocannon };
}

// Runs the web benchmark and prints its table.
export async function runWebBench(): Promise<void> {
  ensureTools();
  await buildWebBundle();
  await buildServerBundle();
  const dir = await mkdtemp(join(tmpdir(), 'licorn-bench-'));
  try {
    // Both servers run as plain JavaScript bundles built the same way, after a warm-up start.
    const { daemonArgs, baselineScript, baselineArgs, loginBytes } = await prepareWebPair(dir);
    const baseline = await startServer(baselineScript, baselineArgs);
    let baselinePeak = 0;
    const baselineFigures = await measure(baseline, (peak) => {
      baselinePeak = peak;
    });
    await baseline.stop();

    const daemon = await startServer(daemonScript, daemonArgs);
    let daemonPeak = 0;
    const daemonFigures = await measure(daemon, (peak) => {
      daemonPeak = peak;
    });
    await daemon.stop();

    printTable('Web: licornd against bare Fastify over HTTPS (same certificate, same run)', [
      {
        name: 'httperf seed command (--rate 1000), conn/s',
        ours: daemonFigures.httperf,
        baseline: baselineFigures.httperf,
        target: '≥ 0.8×',
      },
      {
        name: 'httperf capacity: highest rate kept (≥ 95 %, no error), conn/s',
        ours: daemonFigures.capacity,
        baseline: baselineFigures.capacity,
        target: '≥ 0.8×',
      },
      { name: 'ab -n 1000 -c 50, req/s', ours: daemonFigures.ab, baseline: baselineFigures.ab, target: '—' },
      {
        name: 'autocannon -c 50 -d 10 keep-alive, req/s',
        ours: daemonFigures.autocannon,
        baseline: baselineFigures.autocannon,
        target: '≥ 0.8×',
      },
      { name: 'peak RSS under load, MiB', ours: daemonPeak, baseline: baselinePeak, target: '≤ 150 MiB' },
      { name: 'start to listening, ms', ours: daemon.startMs, baseline: baseline.startMs, target: '≤ 1000 ms' },
    ]);
    process.stdout.write(
      `baseline page: ${loginBytes} bytes, as our /login/; httperf at ${sweepRates.join(', ')} conn/s offered: ` +
        `licornd ${daemonFigures.reached.map((rate) => rate.toFixed(0)).join(', ')}; ` +
        `Fastify ${baselineFigures.reached.map((rate) => rate.toFixed(0)).join(', ')}\n`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
