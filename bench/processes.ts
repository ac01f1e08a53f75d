import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildServerBundle } from '../server/build.ts';
import { createDemoRoot } from '../server/core/demo/create-demo-root.ts';
import { loadTls } from '../server/web/tls/load-tls.ts';
import { getPageBytes } from './page-bytes.ts';

const runFile = promisify(execFile);

// A server process under benchmark.
export interface ServerProcess {
  child: ChildProcess;
  port: number;
  startMs: number;
  stop(): Promise<void>;
}

// Node's flags for licornd, as package.json's `start` and `licornd` scripts run it: V8's
// young generation capped at 4 MiB a half (16 by default). A burst of garbage (1,000 TLS
// handshakes, a bulk import) grows it to its cap, where it stays: 25 MiB of RSS with 1,000
// status followers at 16 (bench/README.md, ninth session). The ninth session chose 2; at 2
// the scavenges were 11 % of the main thread under keep-alive load (2.6 % at 4, 1–2 % at 8
// or 16) for 4 MiB less RSS than 4 (tenth session).
// LICORN_BENCH_NODE_FLAGS="…" replaces them (an empty string: none), to weigh another choice.
export const daemonNodeFlags = process.env.LICORN_BENCH_NODE_FLAGS?.split(/\s+/).filter(Boolean) ?? [
  '--max-semi-space-size=4',
];

// LICORN_BENCH_DAEMON_OUTPUT=file: the daemons' output is appended there too (with
// LICORN_BENCH_NODE_FLAGS="--max-semi-space-size=4 --trace-gc": V8's heap through a run).
const daemonOutput = process.env.LICORN_BENCH_DAEMON_OUTPUT;

// Spawns `node script args` (a bundle: plain JavaScript, as `npm start` runs) and waits for
// its "listening on https://…:PORT" line; startMs is the time from spawn to that line.
// `nodeArgs` go to node itself (`--cpu-prof`, which NODE_OPTIONS does not take).
export async function startServer(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  nodeArgs: string[] = [],
): Promise<ServerProcess> {
  const started = performance.now();
  const daemon = script.endsWith('dist/server/main.js');
  const child = spawn(process.execPath, [...(daemon ? daemonNodeFlags : []), ...nodeArgs, script, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  if (daemonOutput) {
    const file = createWriteStream(daemonOutput, { flags: 'a' });
    child.stdout!.pipe(file);
    child.stderr!.pipe(file);
  }
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = /listening on https:\/\/[^:]+:(\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk) => {
      output += chunk;
    });
    child.on('exit', (code) => reject(new Error(`${script} exited ${code}: ${output}`)));
  });
  const startMs = performance.now() - started;
  return {
    child,
    port,
    startMs,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

// The daemon as `npm start` runs it: the bundle, built by the bench beforehand.
export const daemonScript = join(import.meta.dirname, '..', 'dist/server/main.js');

export interface BenchDaemonOptions {
  // More flags for licornd (a bench's limits: `--push-max-sockets-per-session`, …).
  args?: string[];
  env?: NodeJS.ProcessEnv;
  // Flags for node itself (`--cpu-prof`).
  nodeArgs?: string[];
  // Another build's main.js (an older tree's dist, to compare); this build's by default.
  script?: string;
}

// licornd as the benches run it: over `root`, with a configuration file in `dir` (log level
// warn), its certificates made in dir/certs on first start, on a free port.
export async function startBenchDaemon(
  dir: string,
  root: string,
  { args = [], env = {}, nodeArgs = [], script = daemonScript }: BenchDaemonOptions = {},
): Promise<ServerProcess> {
  const configFile = join(dir, 'licorn.conf');
  await writeFile(configFile, 'log.level = "warn"\n');
  const flags = ['--config', configFile, '--root', root, '--tls-dir', join(dir, 'certs'), '--port', '0'];
  return startServer(script, [...flags, ...args], env, nodeArgs);
}

// startBenchDaemon over a copy of `root` made in dir/root, so that the run's writes leave the
// (cached) root as it was.
export async function startDaemonOnRootCopy(
  dir: string,
  root: string,
  options: BenchDaemonOptions = {},
): Promise<ServerProcess> {
  const copy = join(dir, 'root');
  await runFile('cp', ['-a', root, copy]);
  return startBenchDaemon(dir, copy, options);
}

// licornd and bare Fastify as the web benches compare them: the daemon over a demo root,
// the baseline (bench/baseline-server.ts, bundled) serving a page of the size of the daemon's
// /login/, both with the same certificate and their files in `dir`.
export interface WebPair {
  daemonArgs: string[];
  baselineScript: string;
  baselineArgs: string[];
  // The size of the daemon's /login/ (and so of the baseline's page), in bytes.
  loginBytes: number;
}

// Makes the pair's files (the daemon's bundle is built by the bench beforehand) and starts
// each once: the page cache, and the daemon's /login/ measured for the baseline's page.
export async function prepareWebPair(dir: string): Promise<WebPair> {
  const baselineScript = join(dir, 'baseline-server.js');
  await buildServerBundle(join(import.meta.dirname, 'baseline-server.ts'), baselineScript);
  const root = join(dir, 'root');
  await createDemoRoot(root);
  const certDir = join(dir, 'certs');
  await loadTls({ cert: '', key: '', dir: certDir });
  const [cert, key] = [join(certDir, 'licorn.crt'), join(certDir, 'licorn.key')];
  const configFile = join(dir, 'licorn.conf');
  await writeFile(configFile, 'log.level = "warn"\n');
  const daemonArgs = ['--config', configFile, '--root', root, '--tls-cert', cert, '--tls-key', key, '--port', '0'];
  const warm = await startServer(daemonScript, daemonArgs);
  const loginBytes = await getPageBytes(warm.port, '/login/').finally(() => warm.stop());
  const baselineArgs = ['--cert', cert, '--key', key, '--bytes', String(loginBytes)];
  await (await startServer(baselineScript, baselineArgs)).stop();
  return { daemonArgs, baselineScript, baselineArgs, loginBytes };
}

// A process's resident memory now and at its peak (VmRSS, VmHWM), in MiB.
export async function getMemory(pid: number): Promise<{ rssMiB: number; peakMiB: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 };
}

// The CPU time a process has used so far, user and system, in milliseconds (/proc/<pid>/stat,
// in ticks of 10 ms): on a machine shared with other work, what an operation cost whatever
// the waits it met.
export async function getCpuMs(pid: number): Promise<number> {
  return readCpuMs(`/proc/${pid}/stat`);
}

// The CPU time of a process's main thread alone (/proc/<pid>/task/<pid>/stat), in milliseconds:
// the rest of getCpuMs is its other threads', mostly V8's garbage-collection helpers.
export async function getMainThreadCpuMs(pid: number): Promise<number> {
  return readCpuMs(`/proc/${pid}/task/${pid}/stat`);
}

async function readCpuMs(statFile: string): Promise<number> {
  const stat = await readFile(statFile, 'utf8');
  // The fields after the command's parenthesis: state is the first, utime the 12th, stime the 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

// The CPU time of `rootPid` and its living descendants whose command line contains `match`
// (all without it), in milliseconds: a server with its children (cockpit-ws and its bridge, the
// daemon and its shells), or Chromium's renderers (`--type=renderer`) under the bench's process.
export async function getTreeCpuMs(rootPid: number, match?: string): Promise<number> {
  const parents = new Map<number, number>();
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    if (stat) parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
  }
  const isUnder = (pid: number): boolean => {
    for (let at: number | undefined = pid, depth = 0; at && depth < 64; at = parents.get(at), depth++)
      if (at === rootPid) return true;
    return false;
  };
  let total = 0;
  for (const pid of parents.keys()) {
    if (!isUnder(pid)) continue;
    if (match && !(await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).includes(match)) continue;
    total += await readCpuMs(`/proc/${pid}/stat`).catch(() => 0);
  }
  return total;
}
