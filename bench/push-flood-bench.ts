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

const projectDir = join(import.meta.dirname, '..');
const helpersDir = join(projectDir, 'test/helpers');
const p95 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.ceil(values.length * 0.95) - 1] ?? NaN;

// Times the admin's page loads (one after the other, 10 ms apart at most: a person clicking
// fast, not a load generator) in the quiet and abusive phases of `child`, each load counted
// in the phase it ran in whole.
async function measureUnder(child: string, args: string[], admin: HttpsClient) {
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

// Runs the benchmark and prints its table.
export async function runPushFloodBench(): Promise<void> {
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
      // As the test: twelve rounds of 1.2 s quiet then 1.2 s of flood (four sockets at once,
      // 340 frames of 11,000 names each, never reading); then eight rounds of churn.
      const flood = await measureUnder(
        'push-flood-child.ts',
        [wsUrl, attackers[0]!.cookie, url, '340', '11000', '4', '12', '1200'],
        admin,
      );
      const churn = await measureUnder(
        'push-churn-child.ts',
        [wsUrl, url, '8', '8', '1200', ...attackers.map((attacker) => attacker.cookie)],
        admin,
      );
      const { peakMiB } = await getMemory(daemon.child.pid!);
      admin.close();
      attackers.forEach((attacker) => attacker.close());
      const rows: BenchRow[] = [
        {
          name: 'GET /accounts/ p95 (ms), flood vs quiet',
          ours: p95(flood.flood),
          baseline: p95(flood.quiet),
          target: '≤ 2× (issue 11)',
        },
        {
          name: 'GET /accounts/ p95 (ms), churn vs quiet',
          ours: p95(churn.flood),
          baseline: p95(churn.quiet),
          target: '≤ 2× (MEDIUM 8)',
        },
        { name: 'daemon RSS peak (MiB)', ours: peakMiB, baseline: null, target: '< 300 (issue 11)' },
      ];
      const samples = [flood.quiet, flood.flood, churn.quiet, churn.flood].map((times) => times.length);
      printTable(`push flood (page loads per phase: ${samples.join(', ')})`, rows, {
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
