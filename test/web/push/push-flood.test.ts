import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAllLicornd, startLicornd, type LicorndProcess } from '../../helpers/licornd-process.ts';
import { createSandbox, testPasswords, type Sandbox } from '../../helpers/sandbox.ts';
import { HttpsClient } from '../../helpers/https-client.ts';

// Issue 11, item 5: one logged-in non-admin with a socket that never reads sent 340 frames of
// {"subscribe":[…11,000 unknown names…]}; the daemon went from 90 MB to 2.2 GB in 10 s and
// answered no API call for 20 s. Here the same flood, against a real licornd, while an admin
// measures `GET /accounts/`: RSS must stay under 300 MB and the admin's p95 within 2× quiet.
// The same bounds hold under the red team's reconnect churn (MEDIUM 8): one non-admin with 4
// sessions opening sockets as fast as it can, each closed for abuse and reopened at once.

const floodChild = join(import.meta.dirname, '../../helpers/push-flood-child.ts');
const churnChild = join(import.meta.dirname, '../../helpers/push-churn-child.ts');
const rssLimit = 300 * 1024 * 1024;

let sandbox: Sandbox;
let daemon: LicorndProcess;
let url: string;
beforeAll(async () => {
  sandbox = await createSandbox();
  daemon = startLicornd([
    '--config',
    join(sandbox.dir, 'licorn.conf'),
    '--root',
    sandbox.root,
    '--tls-dir',
    join(sandbox.dir, 'certs'),
    '--port',
    '0',
    '--auth-fail-delay',
    '0.2',
  ]);
  url = await daemon.listening();
});
afterAll(async () => {
  killAllLicornd();
  await sandbox.remove();
});

// The daemon's resident memory now and at its peak (VmHWM), in bytes.
async function getMemory(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)![1]) * 1024;
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

// Times one page load, in ms.
async function timePageLoad(client: HttpsClient): Promise<number> {
  const start = performance.now();
  const answer = await client.fetch('/accounts/');
  if (answer.status !== 200) throw new Error(`GET /accounts/ answered ${answer.status}`);
  return performance.now() - start;
}

// CPU time (user + system) the process used so far, in ms.
async function getCpuMs(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function getP95(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.ceil(sorted.length * 0.95) - 1]!;
}

// What one abusive child process did to the daemon: the admin's page load times in its quiet
// and abusive phases (the child prints "quiet", then "flood" or "churn", as each begins), the
// daemon's CPU in each, its memory, and the child's own report (its last line).
async function measureUnder(child: string, args: string[], admin: HttpsClient) {
  const pid = daemon.child.pid!;
  for (let i = 0; i < 20; i += 1) await timePageLoad(admin); // templates compiled, JIT settled
  const before = await getMemory(pid);
  const flood = spawn(process.execPath, ['--import', 'tsx', child, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let phase = 'starting' as 'starting' | 'quiet' | 'flood' | 'done';
  let report = '';
  flood.stdout!.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      if (line === 'quiet') phase = 'quiet';
      else if (line === 'flood' || line === 'churn') phase = 'flood';
      else [phase, report] = ['done', line];
    }
  });
  const exited = new Promise<void>((resolve) => flood.once('exit', () => resolve()));
  void exited.then(() => {
    phase = 'done';
  });

  let peakRss = 0;
  // Past 1 GB the test has failed anyway: stop the daemon before it hurts the machine.
  const watchRss = setInterval(
    () =>
      void getMemory(pid).then(
        ({ rss }) => {
          peakRss = Math.max(peakRss, rss);
          if (rss > 1024 * 1024 * 1024) daemon.child.kill('SIGKILL');
        },
        () => {},
      ),
    100,
  );
  const times = { quiet: [] as number[], flood: [] as number[] };
  const cpu = { quiet: 0, flood: 0 };
  let floodCpuMs = 0;
  let failure = '';
  try {
    // One page load every 10 ms at most (a person clicking fast, not a load generator: the
    // figure is the latency another user sees), each counted in the phase it ran in whole.
    while (phase !== 'done') {
      const startPhase = phase;
      const cpuStart = await getCpuMs(pid);
      const time = await timePageLoad(admin);
      if (phase === startPhase && (phase === 'quiet' || phase === 'flood')) {
        times[phase].push(time);
        cpu[phase] += (await getCpuMs(pid)) - cpuStart;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 10 - time)));
    }
    floodCpuMs = await getCpuMs(flood.pid!).catch(() => -1); // -1: it had already exited
    await exited;
  } catch (error) {
    failure = (error as Error).message;
  } finally {
    clearInterval(watchRss);
    flood.kill('SIGKILL');
  }
  const memory = await getMemory(pid).catch(() => ({ rss: peakRss, peak: peakRss }));
  // Printed for whoever reads a failure: was it the daemon (its CPU per phase) or the machine?
  const figures = {
    failure,
    quietP95: getP95(times.quiet),
    floodP95: getP95(times.flood),
    samples: [times.quiet.length, times.flood.length],
    daemonCpuMs: cpu,
    floodChildCpuMs: floodCpuMs,
    rssBefore: before.rss,
    ...memory,
    flood: report,
  };
  console.log(JSON.stringify(figures));
  return figures;
}

// The bounds both floods must keep: no failure, RSS (its peak since start) under 300 MB, the
// admin's p95 within 2× quiet, over enough samples to mean something.
function expectBounded(figures: Awaited<ReturnType<typeof measureUnder>>): void {
  expect(figures.failure).toBe('');
  expect(figures.peak).toBeLessThan(rssLimit);
  expect(Math.min(...figures.samples)).toBeGreaterThan(100);
  expect(figures.floodP95).toBeLessThanOrEqual(2 * figures.quietP95);
}

describe('the push channel under a flood from one session', () => {
  it("keeps the daemon under 300 MB and another user's page loads within 2× their quiet p95", async () => {
    const admin = new HttpsClient(url);
    const attacker = new HttpsClient(url);
    await admin.logIn('admin', testPasswords.admin);
    await attacker.logIn('dnguyen', testPasswords.dnguyen);
    // Item 5 in twelve rounds of 1.2 s quiet then 1.2 s of flood: four sockets at once, each
    // sending 340 frames of 11,000 names (or of 32 names, under the frame size limit) and
    // never reading, each one dropped replaced 50 ms later.
    const wsUrl = `${url.replace('https:', 'wss:')}/ws`;
    const args = [wsUrl, attacker.cookie, url, '340', '11000', '4', '12', '1200'];
    const figures = await measureUnder(floodChild, args, admin);
    admin.close();
    attacker.close();

    expectBounded(figures);
    // The flood did happen, and was refused for each of its excesses: frames too large, and
    // names refused. Thousands of refusals, a handful of log lines: one per 10 s at most.
    // (Fewer sockets than frames: each one dropped for abuse costs its session 17 connections.)
    const report = JSON.parse(figures.flood) as { opened: number; framesWritten: number };
    expect(report.opened).toBeGreaterThanOrEqual(8);
    expect(report.framesWritten).toBeGreaterThanOrEqual(500);
    const lines = daemon
      .output()
      .split('\n')
      .filter((line) => line.includes('push channel refusals'));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThanOrEqual(5);
    for (const reason of ['frame-too-large', 'too-many-refused']) expect(lines.join('\n')).toContain(reason);
    // No error logged for what a client did (pino's level 50).
    expect(daemon.output()).not.toContain('"level":50');
  }, 120_000);

  it('bounds reconnect churn: sockets closed for abuse and reopened at once by 4 sessions', async () => {
    const admin = new HttpsClient(url);
    const attackers = Array.from({ length: 4 }, () => new HttpsClient(url));
    await admin.logIn('admin', testPasswords.admin);
    for (const attacker of attackers) await attacker.logIn('dnguyen', testPasswords.dnguyen);
    const logBefore = daemon.output().length;
    // Eight rounds of 1.2 s quiet then 1.2 s of churn: 4 sessions × 8 connection loops.
    const wsUrl = `${url.replace('https:', 'wss:')}/ws`;
    const args = [wsUrl, url, '8', '8', '1200', ...attackers.map((attacker) => attacker.cookie)];
    const figures = await measureUnder(churnChild, args, admin);
    admin.close();
    attackers.forEach((attacker) => attacker.close());

    expectBounded(figures);
    // The churn did happen, and past the first sockets its connections were refused before
    // the upgrade (429), counted with the push channel's refusals (a line per 10 s at most);
    // no error logged for them.
    // Each socket closed for abuse costs its session and address 17 connections: past their
    // first buckets (64 per session, 256 for the address), about one socket a second.
    const report = JSON.parse(figures.flood) as { opened: number; refused: number };
    expect(report.opened).toBeGreaterThanOrEqual(16);
    expect(report.opened).toBeLessThanOrEqual(100);
    const lines = daemon
      .output()
      .slice(logBefore)
      .split('\n')
      .filter((line) => line.includes('push channel refusals'));
    expect(lines.join('\n')).toContain('connect-rate');
    expect(lines.length).toBeLessThanOrEqual(4);
    expect(daemon.output()).not.toContain('"level":50');
  }, 120_000);
});
