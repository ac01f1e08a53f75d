// The accounts page's own CPU per request, without TLS, sockets or a browser sharing the
// machine: `node --import tsx bench/accounts-page-cost.ts ROOT [count] [rounds] [path]` builds the
// app as licornd does over ROOT (a pages bench root: LICORN_BENCH_ROOT_CACHE's
// `pages-10000`, a demo whose admin has the tests' password), logs in as admin, then injects
// `count` GETs of /login/, /accounts/, /accounts/-/rows?q=bulk1 and the same in French, in
// turn, for `rounds` rounds, and prints each one's CPU per request (process.cpuUsage, the
// lowest round: the others met other work). Run it under `node --cpu-prof` to see where.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../server/config/load-config.ts';
import { loadTls } from '../server/web/tls/load-tls.ts';
import { buildApp } from '../server/web/app.ts';
import { testPasswords } from '../test/helpers/sandbox.ts';
import { logIn } from '../test/helpers/test-app.ts';
import { useWideRanges } from './bench-accounts.ts';

const root = process.argv[2];
if (!root) throw new Error('usage: accounts-page-cost.ts ROOT [count] [rounds] [path]');
const count = Number(process.argv[3] ?? 200);
const rounds = Number(process.argv[4] ?? 5);
// Only this path (to profile one).
const only = process.argv[5];

useWideRanges();
const dir = await mkdtemp(join(tmpdir(), 'licorn-accounts-cost-'));
try {
  const configFile = join(dir, 'licorn.conf');
  await writeFile(configFile, 'log.level = "warn"\n');
  const config = loadConfig({
    argv: ['--config', configFile, '--root', root, '--tls-dir', join(dir, 'certs'), '--port', '0'],
    env: process.env,
  });
  const app = await buildApp(config, { tls: await loadTls(config.tls), logger: { level: config.log.level } });
  await app.ready();
  const { cookie } = await logIn(app, 'admin', testPasswords.admin);
  const loads = (
    [
      ['/login/', '', 'en'],
      ['/accounts/', cookie, 'en'],
      ['/accounts/', cookie, 'fr'],
      ['/accounts/-/rows?q=bulk1', cookie, 'en'],
    ] as [string, string, string][]
  ).filter(([url]) => !only || url === only);
  const best = loads.map(() => Infinity);
  for (let round = 0; round < rounds; round++) {
    for (const [index, [url, session, language]] of loads.entries()) {
      const headers = { cookie: session, accept: 'text/html', 'accept-language': language };
      const before = process.cpuUsage();
      for (let i = 0; i < count; i++) {
        const response = await app.inject({ method: 'GET', url, headers });
        if (response.statusCode !== 200) throw new Error(`GET ${url} answered ${response.statusCode}`);
      }
      const used = process.cpuUsage(before);
      best[index] = Math.min(best[index]!, (used.user + used.system) / count);
    }
  }
  for (const [index, [url, , language]] of loads.entries())
    process.stdout.write(`GET ${url} (${language}): ${(best[index]! / 1000).toFixed(2)} ms CPU per request\n`);
  await app.close();
} finally {
  await rm(dir, { recursive: true, force: true });
}
