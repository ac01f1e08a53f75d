// The keep-alive benchmark (`npm run bench -- keepalive`): licornd's /login/ against a bare
// Fastify serving a page of the same size, autocannon (50 connections, 10 s) on one, then
// the other, three rounds in one run; each round's ratio, the servers' CPU per request
// (/proc/PID/stat around the load: what a request costs whatever else the shared machine
// runs) and their start to listening, then the medians. `LICORN_BENCH_PROFILE_DIR=dir` has
// every daemon write a CPU profile (`node --cpu-prof`) of its start and its load;
// `LICORN_BENCH_KEEPALIVE_COMPARE=path` loads another build's `dist/server/main.js` too (a
// checkout of the commit before, with the same node_modules and build/) in each round.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWebBundle } from '../web/build.ts';
import { buildServerBundle } from '../server/build.ts';
import { createDemoRoot } from '../server/core/demo/create-demo-root.ts';
import { loadTls } from '../server/web/tls/load-tls.ts';
import { runAutocannonCounted } from './load-tools.ts';
import { getCpuMs, startServer } from './processes.ts';
import { getPageBytes } from './page-bytes.ts';

const projectDir = join(import.meta.dirname, '..');
const rounds = Number(process.env.LICORN_BENCH_KEEPALIVE_ROUNDS ?? 3);
const seconds = Number(process.env.LICORN_BENCH_KEEPALIVE_SECONDS ?? 10);

interface Figures {
  rate: number;
  cpuUsPerRequest: number;
  startMs: number;
}

// Starts `script`, loads its /login/ with autocannon and stops it.
async function measureOne(script: string, args: string[], nodeArgs: string[]): Promise<Figures> {
  const server = await startServer(script, args, {}, nodeArgs);
  try {
    const cpuBefore = await getCpuMs(server.child.pid!);
    const { rate, requests } = await runAutocannonCounted(server.port, seconds);
    const cpuMs = (await getCpuMs(server.child.pid!)) - cpuBefore;
    return { rate, cpuUsPerRequest: (cpuMs * 1000) / requests, startMs: server.startMs };
  } finally {
    await server.stop();
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

// Runs the keep-alive benchmark and prints each round and the medians.
export async function runKeepAliveBench(): Promise<void> {
  await buildWebBundle();
  await buildServerBundle();
  const dir = await mkdtemp(join(tmpdir(), 'licorn-bench-'));
  try {
    const daemonScript = join(projectDir, 'dist/server/main.js');
    const baselineScript = join(dir, 'baseline-server.js');
    await buildServerBundle(join(projectDir, 'bench/baseline-server.ts'), baselineScript);
    const root = join(dir, 'root');
    await createDemoRoot(root);
    const certDir = join(dir, 'certs');
    await loadTls({ cert: '', key: '', dir: certDir });
    const tls = ['--tls-cert', join(certDir, 'licorn.crt'), '--tls-key', join(certDir, 'licorn.key')];
    const configFile = join(dir, 'licorn.conf');
    await writeFile(configFile, 'log.level = "warn"\n');
    const daemonArgs = ['--config', configFile, '--root', root, ...tls, '--port', '0'];
    const profileDir = process.env.LICORN_BENCH_PROFILE_DIR;
    const daemonNodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];

    // A warm-up start of each (the page cache); the baseline's page is the size of our /login/.
    const warm = await startServer(daemonScript, daemonArgs);
    const loginBytes = await getPageBytes(warm.port, '/login/');
    await warm.stop();
    const baselineArgs = ['--cert', tls[1]!, '--key', tls[3]!, '--bytes', String(loginBytes)];
    await (await startServer(baselineScript, baselineArgs)).stop();

    const compareScript = process.env.LICORN_BENCH_KEEPALIVE_COMPARE;
    const ours: Figures[] = [];
    const theirs: Figures[] = [];
    const before: Figures[] = [];
    process.stdout.write(`Keep-alive: autocannon -c 50 -d ${seconds} on /login/ (${loginBytes} bytes), in turn\n`);
    for (let round = 1; round <= rounds; round++) {
      theirs.push(await measureOne(baselineScript, baselineArgs, []));
      ours.push(await measureOne(daemonScript, daemonArgs, daemonNodeArgs));
      if (compareScript) {
        const other = await measureOne(compareScript, daemonArgs, daemonNodeArgs);
        before.push(other);
        process.stdout.write(
          `round ${round}: the other build ${other.rate.toFixed(0)} req/s, ${other.cpuUsPerRequest.toFixed(1)} µs ` +
            `CPU/req, start ${other.startMs.toFixed(0)} ms; ratio ${(other.rate / theirs.at(-1)!.rate).toFixed(2)}×\n`,
        );
      }
      const [a, b] = [ours.at(-1)!, theirs.at(-1)!];
      process.stdout.write(
        `round ${round}: licornd ${a.rate.toFixed(0)} req/s, ${a.cpuUsPerRequest.toFixed(1)} µs CPU/req, ` +
          `start ${a.startMs.toFixed(0)} ms; Fastify ${b.rate.toFixed(0)} req/s, ` +
          `${b.cpuUsPerRequest.toFixed(1)} µs CPU/req, start ${b.startMs.toFixed(0)} ms; ` +
          `ratio ${(a.rate / b.rate).toFixed(2)}×\n`,
      );
    }
    const ratios = ours.map((figures, index) => figures.rate / theirs[index]!.rate);
    process.stdout.write(
      `median: ratio ${median(ratios).toFixed(2)}× (target ≥ 0.8×); CPU per request ` +
        `${median(ours.map((f) => f.cpuUsPerRequest)).toFixed(1)} µs against ` +
        `${median(theirs.map((f) => f.cpuUsPerRequest)).toFixed(1)} µs; start to listening ` +
        `${median(ours.map((f) => f.startMs)).toFixed(0)} ms against ` +
        `${median(theirs.map((f) => f.startMs)).toFixed(0)} ms (target ≤ 1000 ms)\n`,
    );
    if (before.length > 0) {
      const ratiosBefore = before.map((figures, index) => figures.rate / theirs[index]!.rate);
      process.stdout.write(
        `the other build, median: ratio ${median(ratiosBefore).toFixed(2)}×; CPU per request ` +
          `${median(before.map((f) => f.cpuUsPerRequest)).toFixed(1)} µs; start ` +
          `${median(before.map((f) => f.startMs)).toFixed(0)} ms\n`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
