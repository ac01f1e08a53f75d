// The app's own CPU per request, without TLS, sockets or a load generator sharing the
// machine: `node --import tsx bench/request-cost.ts [path] [count] [rounds]` builds the app as licornd
// does (log level warn) over a demo root and a bare Fastify answering the same page, then
// injects `count` GETs of `path` (/login/ by default) into each, in turn, for 7 rounds (or `rounds`), and
// prints the CPU per request of each (process.cpuUsage, the lowest round: the others met
// other work) and their difference, what the app's hooks, headers and handler add. The
// keep-alive figures of `npm run bench -- keepalive` add TLS and the sockets on top.
import Fastify from 'fastify';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBenchApp } from './bench-app.ts';

const path = process.argv[2] ?? '/login/';
const count = Number(process.argv[3] ?? 20_000);
const rounds = Number(process.argv[4] ?? 7);

// CPU microseconds per request of `count` injected GETs, answered 200. The loop yields to the
// event loop every 256: an inject resolves without one, and each answer left an Immediate
// (light-my-request's) holding its request until the loop turns: 7 rounds of 30,000 ran the heap
// out of memory, every request kept.
async function measure(inject: () => Promise<{ statusCode: number }>): Promise<number> {
  const before = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    const response = await inject();
    if (response.statusCode !== 200) throw new Error(`GET ${path} answered ${response.statusCode}`);
    if (i % 256 === 255) await new Promise((resolve) => setImmediate(resolve));
  }
  const used = process.cpuUsage(before);
  return (used.user + used.system) / count;
}

const dir = await mkdtemp(join(tmpdir(), 'licorn-request-cost-'));
try {
  const { app } = await buildBenchApp(dir);
  await app.ready();
  const page = (await app.inject({ method: 'GET', url: path })).body;
  const bare = Fastify({ logger: false });
  bare.get(path, async (_request, reply) => reply.type('text/html; charset=utf-8').send(page));
  await bare.ready();

  const ours: number[] = [];
  const theirs: number[] = [];
  for (let round = 0; round < rounds; round++) {
    theirs.push(await measure(() => bare.inject({ method: 'GET', url: path })));
    ours.push(await measure(() => app.inject({ method: 'GET', url: path })));
  }
  const [a, b] = [Math.min(...ours), Math.min(...theirs)];
  process.stdout.write(
    `GET ${path} (${page.length} bytes), ${count} injected, CPU per request: licornd ${a.toFixed(1)} µs, ` +
      `bare Fastify ${b.toFixed(1)} µs, the app's own ${(a - b).toFixed(1)} µs\n`,
  );
  await app.close();
  await bare.close();
} finally {
  await rm(dir, { recursive: true, force: true });
}
