// The status bench's followers: WebSockets on the Status page's topic, the daemon's CPU with 20
// of them against idle in alternated windows, and the storm (1,000 followers all back at once)
// in rounds, each round's peak RSS read from a reset high-water mark.
import { readFile, writeFile } from 'node:fs/promises';
import WebSocket from 'ws';
import { statusPageTopic } from '../common/status-charts.ts';
import { getMemory } from './processes.ts';
import { readBenchCount } from './bench-settings.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// A follower: its socket and the time of every sample it received.
export interface Follower {
  socket: WebSocket;
  times: number[];
}

// A process's CPU time so far, in seconds (utime + stime of /proc/PID/stat).
async function getCpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

// The daemon's CPU, in percent of one core, over `seconds`.
export async function measureCpu(pid: number, seconds: number): Promise<number> {
  const before = await getCpuSeconds(pid);
  const started = performance.now();
  await sleep(seconds * 1000);
  return (((await getCpuSeconds(pid)) - before) * 100) / ((performance.now() - started) / 1000);
}

// A WebSocket following the Status page's topic (the history of its charts, then every
// sample) that notes the time of every sample it receives.
async function openFollower(port: number, cookie: string): Promise<Follower> {
  const socket = new WebSocket(`wss://127.0.0.1:${port}/ws`, {
    headers: { cookie, origin: `https://127.0.0.1:${port}` },
    rejectUnauthorized: false,
  });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  // A follower cut later is counted by its missing samples, not a crash of the bench.
  socket.on('error', () => {});
  const times: number[] = [];
  socket.on('message', (data) => {
    const time = /"samples":\[\{"time":(\d+)/.exec(data.toString())?.[1];
    if (time) times.push(Number(time));
  });
  socket.send(JSON.stringify({ subscribe: [statusPageTopic] }));
  return { socket, times };
}

// How many connections were cut before they were open and tried again, since the run's start.
export const connectRetries = { count: 0 };

// A follower that tries again, as the page does, when its connection is cut before it opens:
// 1,000 at once from one address can pass the daemon's pending TLS handshakes' bound, and it
// cuts the oldest (server/web/tls/pending-connections.ts), as it would for 1,000 browsers.
export async function follow(port: number, cookie: string): Promise<Follower> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await openFollower(port, cookie);
    } catch (error) {
      if (attempt >= 10) throw error;
      connectRetries.count += 1;
      await sleep(100 * attempt);
    }
  }
}

// `count` followers, in batches of 100 (as pages open over a while, not a storm).
export async function followInBatches(port: number, cookie: string, count: number): Promise<Follower[]> {
  const followers: Follower[] = [];
  for (let opened = 0; opened < count; opened += 100) {
    const batch = Math.min(100, count - opened);
    followers.push(...(await Promise.all(Array.from({ length: batch }, () => follow(port, cookie)))));
  }
  return followers;
}

// The daemon's CPU idle and with 20 followers, per round: a window of each in turn (the
// daemon's work is the same for a page or a socket). One 20 s window read 1.0–2.1 % from run
// to run (sixteenth session); the median of the rounds' differences decides.
// LICORN_BENCH_FOLLOWERS_ROUNDS (5) and LICORN_BENCH_FOLLOWERS_SECONDS (10, each window).
export async function measureTwentyFollowers(
  pid: number,
  port: number,
  cookie: string,
): Promise<{ idle: number[]; twenty: number[] }> {
  const rounds = readBenchCount('LICORN_BENCH_FOLLOWERS_ROUNDS', 5);
  const seconds = readBenchCount('LICORN_BENCH_FOLLOWERS_SECONDS', 10);
  const idle: number[] = [];
  const twenty: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    await sleep(2000);
    idle.push(await measureCpu(pid, seconds));
    const followers = await Promise.all(Array.from({ length: 20 }, () => follow(port, cookie)));
    await sleep(2000);
    twenty.push(await measureCpu(pid, seconds));
    for (const { socket } of followers) socket.close();
  }
  return { idle, twenty };
}

// One storm's figures: the peak RSS from the close to 5 s after the 1,000 are back, the
// retries it took, and the fewest samples a follower got back in those 5 s (every one: ≥ 4).
export interface StormFigures {
  peakMiB: number;
  retried: number;
  fewestSamples: number;
}

// The 1,000 go and come back at once (a restart, a network blip). The high-water mark is reset
// first (/proc/PID/clear_refs, 5), so that each round reads its own storm's peak.
export async function runStorm(pid: number, port: number, cookie: string, clients: Follower[]): Promise<StormFigures> {
  await writeFile(`/proc/${pid}/clear_refs`, '5');
  const retriedBefore = connectRetries.count;
  for (const { socket } of clients) socket.close();
  await sleep(2000);
  const back = await Promise.all(Array.from({ length: clients.length }, () => follow(port, cookie)));
  await sleep(5000);
  const { peakMiB } = await getMemory(pid);
  const fewestSamples = Math.min(...back.map((follower) => follower.times.length));
  for (const { socket } of back) socket.close();
  return { peakMiB, retried: connectRetries.count - retriedBefore, fewestSamples };
}

// Storms in rounds (LICORN_BENCH_STORM_ROUNDS, 3): the first with the soak's followers, each
// later one with 1,000 opened in batches first. One storm's peak spread ±15 MiB run to run.
// Each round starts from what the one before left in V8's committed heap: storm after storm.
export async function runStorms(pid: number, port: number, cookie: string, soak: Follower[]): Promise<StormFigures[]> {
  const rounds = readBenchCount('LICORN_BENCH_STORM_ROUNDS', 3);
  const storms = [await runStorm(pid, port, cookie, soak)];
  for (let round = 1; round < rounds; round += 1) {
    await sleep(2000);
    const clients = await followInBatches(port, cookie, soak.length);
    await sleep(5000);
    storms.push(await runStorm(pid, port, cookie, clients));
  }
  return storms;
}

// A daemon of its own for one storm: its process, port, a logged-in session's cookie.
export interface StormDaemon {
  pid: number;
  port: number;
  cookie: string;
  stop(): Promise<void>;
}

// Storms each in a fresh daemon (LICORN_BENCH_FRESH_STORMS, 3): 1,000 followers opened in
// batches and settled, then all back at once, once. Independent rounds of the same storm,
// where runStorms' later rounds each start from the storm before.
export async function runFreshStorms(start: () => Promise<StormDaemon>): Promise<StormFigures[]> {
  const rounds = readBenchCount('LICORN_BENCH_FRESH_STORMS', 3);
  const storms: StormFigures[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const daemon = await start();
    try {
      const clients = await followInBatches(daemon.port, daemon.cookie, 1000);
      await sleep(5000);
      storms.push(await runStorm(daemon.pid, daemon.port, daemon.cookie, clients));
    } finally {
      await daemon.stop();
    }
  }
  return storms;
}
