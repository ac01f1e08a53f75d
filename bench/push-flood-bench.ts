// The push-flood benchmark (issue 11, item 5, and the red team's MEDIUM 8): another user's
// `GET /accounts/` while one non-admin floods the push channel (sockets that never read,
// frames of 11,000 unknown names) and then churns reconnections from 4 sessions, against the
// same user's loads in the quiet phases between (same run, same daemon). The abusive clients
// are test/helpers/push-flood-child.ts and push-churn-child.ts, in their own processes; they
// print "quiet" and "flood"/"churn" as each phase begins, so a machine whose load drifts
// weighs on both phases alike. test/web/push/push-flood.test.ts checks the same floods'
// bounds that are not speed (memory, refusals, pushes in order).
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildServerBundle } from '../server/build.ts';
import { createDemoRoot } from '../server/core/demo/create-demo-root.ts';
import { HttpsClient } from '../test/helpers/https-client.ts';
import { testPasswords } from '../test/helpers/sandbox.ts';
import { getMemory, startBenchDaemon } from './processes.ts';
import { printTable, type BenchRow } from './print-table.ts';
import { median } from './statistics.ts';
import { readBenchCount } from './bench-settings.ts';

const projectDir = join(import.meta.dirname, '..');
const helpersDir = join(projectDir, 'test/helpers');
const p95 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.ceil(values.length * 0.95) - 1] ?? NaN;

// Times the admin's page loads (one after the other, 10 ms apart at most: a person clicking
// fast, not a load generator) in the quiet and abusive phases of `child`, each load counted
// in the phase it ran in whole.
async function measureUnder(child: string, args: string[], admin: HttpsClient): Promise<Phases> {
  for (let i = 0; i < 20; i += 1) await admin.fetch('/accounts/'); // templates compiled, JIT settled
  const abuser = spawn(process.execPath, ['--import', 'tsx', join(helpersDir, child), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let phase = 'starting' as 'starting' | 'quiet' | 'flood' | 'done';
  abuser.stdout!.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      if (line === 'quiet') phase = 'quiet';
      else if (line === 'flood' || line === 'churn') phase = 'flood';
      else phase = 'done';
    }
  });
  abuser.once('exit', () => {
    phase = 'done';
  });
  const times = { quiet: [] as number[], flood: [] as number[] };
  while (phase !== 'done') {
    const startPhase = phase;
    const start = performance.now();
    const answer = await admin.fetch('/accounts/');
    const time = performance.now() - start;
    if (answer.status !== 200) throw new Error(`GET /accounts/ answered ${answer.status}`);
    if (phase === startPhase && (phase === 'quiet' || phase === 'flood')) times[phase].push(time);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 10 - time)));
  }
  return times;
}

// The page loads of one child's run: in its quiet phases, and in its abusive ones.
interface Phases {
  quiet: number[];
  flood: number[];
}

// A row of the rounds' p95s: each side's median, and the median and spread of their ratios.
function roundsRow(name: string, target: string, all: Phases[]): BenchRow {
  const [abused, quiet] = [all.map((times) => p95(times.flood)), all.map((times) => p95(times.quiet))];
  return { name, ours: median(abused), baseline: median(quiet), target, ratios: abused.map((v, i) => v / quiet[i]!) };
}

// Runs the benchmark and prints its table.
export async function runPushFloodBench(): Promise<void> {
  // Rounds of each abuse (LICORN_BENCH_PUSH_ROUNDS), a child each, flood and churn in turn; each
  // round's p95 abused / quiet is a ratio; the median of the rounds' decides (one run of eight
  // churn phases read 2.12× once, fifteenth session). The phases are shared out among them.
  const rounds = readBenchCount('LICORN_BENCH_PUSH_ROUNDS', 3);
  const floodPhases = Math.max(2, Math.round(12 / rounds));
  const churnPhases = Math.max(2, Math.round(9 / rounds));
  await buildServerBundle();
  const dir = await mkdtemp(join(tmpdir(), 'licorn-push-flood-bench-'));
  try {
    const root = join(dir, 'root');
    await createDemoRoot(root, { passwords: testPasswords });
    const daemon = await startBenchDaemon(dir, root);
    try {
      const url = `https://127.0.0.1:${daemon.port}`;
      const wsUrl = `wss://127.0.0.1:${daemon.port}/ws`;
      const admin = new HttpsClient(url);
      await admin.logIn('admin', testPasswords.admin);
      const attackers = Array.from({ length: 4 }, () => new HttpsClient(url));
      for (const attacker of attackers) await attacker.logIn('dnguyen', testPasswords.dnguyen);
      // As the test: phases of 1.2 s quiet then 1.2 s of flood (four sockets at once, 340
      // frames of 11,000 names each, never reading), twelve in all; then of churn, nine in all.
      const floods: Phases[] = [];
      const churns: Phases[] = [];
      for (let round = 1; round <= rounds; round += 1) {
        floods.push(
          await measureUnder(
            'push-flood-child.ts',
            [wsUrl, attackers[0]!.cookie, url, '340', '11000', '4', String(floodPhases), '1200'],
            admin,
          ),
        );
        churns.push(
          await measureUnder(
            'push-churn-child.ts',
            [wsUrl, url, '8', String(churnPhases), '1200', ...attackers.map((attacker) => attacker.cookie)],
            admin,
          ),
        );
        const ratio = (phases: Phases) => (p95(phases.flood) / p95(phases.quiet)).toFixed(2);
        process.stdout.write(
          `round ${round}: GET /accounts/ p95 abused / quiet: flood ${ratio(floods.at(-1)!)}×, ` +
            `churn ${ratio(churns.at(-1)!)}×\n`,
        );
      }
      const { peakMiB } = await getMemory(daemon.child.pid!);
      admin.close();
      attackers.forEach((attacker) => attacker.close());
      const rows: BenchRow[] = [
        roundsRow('GET /accounts/ p95 (ms), flood vs quiet', '≤ 2× (issue 11)', floods),
        roundsRow('GET /accounts/ p95 (ms), churn vs quiet', '≤ 2× (MEDIUM 8)', churns),
        { name: 'daemon RSS peak (MiB)', ours: peakMiB, baseline: null, target: '< 300 (issue 11)' },
      ];
      const count = (all: Phases[], phase: keyof Phases) => all.reduce((sum, times) => sum + times[phase].length, 0);
      const samples = [count(floods, 'quiet'), count(floods, 'flood'), count(churns, 'quiet'), count(churns, 'flood')];
      printTable(`push flood, ${rounds} rounds (page loads in all: ${samples.join(', ')})`, rows, {
        ours: 'abused',
        baseline: 'quiet',
      });
    } finally {
      await daemon.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
