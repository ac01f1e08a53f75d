// What a keep-alive request allocates, a figure the machine's load does not move (CPU time
// does, 2× between rounds on a shared machine): `node --import tsx bench/request-alloc.ts
// [path] [count]` builds the app as licornd does (log level warn) over a demo root, listening
// on HTTPS, and a bare Fastify answering the same page; autocannon (-c 50, another process)
// sends `count` GETs of `path` (/login/ by default) to each, while V8's sampling heap profiler
// counts every allocation, collected ones included; prints the bytes per request of each and
// the app's top allocation sites (function < caller < caller).
import Fastify, { type FastifyInstance } from 'fastify';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { getHttpsOptions } from '../server/web/tls/tls-options.ts';
import { buildBenchApp } from './bench-app.ts';

const path = process.argv[2] ?? '/login/';
const count = Number(process.argv[3] ?? 20_000);
const autocannon = join(import.meta.dirname, '../node_modules/.bin/autocannon');

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

// Bytes allocated per request of `count` GETs after a warm-up, by site (three frames).
async function profile(app: FastifyInstance): Promise<{ total: number; sites: [string, number][] }> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `https://127.0.0.1:${(app.server.address() as { port: number }).port}${path}`;
  const load = (amount: number) => promisify(execFile)(autocannon, ['-c', '50', '-a', String(amount), url]);
  await load(5000);
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 256,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  await load(count);
  const { profile: result } = await session.post('HeapProfiler.stopSampling');
  session.disconnect();
  await app.close();
  const sites = new Map<string, number>();
  let total = 0;
  const walk = (node: ProfileNode, stack: string[]) => {
    const { functionName, url: file, lineNumber } = node.callFrame;
    const frames = [`${functionName || '(anonymous)'} ${basename(file)}:${lineNumber + 1}`, ...stack];
    const site = frames.slice(0, 3).join(' < ');
    sites.set(site, (sites.get(site) ?? 0) + node.selfSize);
    total += node.selfSize;
    for (const child of node.children) walk(child, frames);
  };
  walk(result.head as ProfileNode, []);
  return { total: total / count, sites: [...sites].map(([site, bytes]): [string, number] => [site, bytes / count]) };
}

const dir = await mkdtemp(join(tmpdir(), 'licorn-request-alloc-'));
try {
  const { app, tls } = await buildBenchApp(dir);
  const page = (await app.inject({ method: 'GET', url: path })).body;
  const bare = Fastify({ https: getHttpsOptions(tls), logger: false });
  bare.get(path, async (_request, reply) => reply.type('text/html; charset=utf-8').send(page));
  const theirs = await profile(bare);
  const ours = await profile(app);
  process.stdout.write(
    `GET ${path} (${page.length} bytes), ${count} requests, allocated per request: licornd ` +
      `${ours.total.toFixed(0)} B, bare Fastify ${theirs.total.toFixed(0)} B; licornd's top sites:\n`,
  );
  for (const [site, bytes] of ours.sites.sort((a, b) => b[1] - a[1]).slice(0, 12)) {
    process.stdout.write(`${bytes.toFixed(0).padStart(7)} B  ${site}\n`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
