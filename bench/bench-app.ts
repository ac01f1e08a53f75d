// The app built in-process as licornd builds it (log level warn) over a fresh demo root in
// `dir`, for the benches that time the app without a daemon around it (request-cost,
// request-alloc).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../server/config/load-config.ts';
import { createDemoRoot } from '../server/core/demo/create-demo-root.ts';
import { loadTls } from '../server/web/tls/load-tls.ts';
import { buildApp } from '../server/web/app.ts';

// Builds the app over a demo root in `dir`; also its TLS material (for a bare Fastify alike).
export async function buildBenchApp(
  dir: string,
): Promise<{ app: FastifyInstance; tls: Awaited<ReturnType<typeof loadTls>> }> {
  const root = join(dir, 'root');
  await createDemoRoot(root);
  const configFile = join(dir, 'licorn.conf');
  await writeFile(configFile, 'log.level = "warn"\n');
  const config = loadConfig({
    argv: ['--config', configFile, '--root', root, '--tls-dir', join(dir, 'certs'), '--port', '0'],
    env: {},
  });
  const tls = await loadTls(config.tls);
  const app = await buildApp(config, { tls, logger: { level: config.log.level } });
  return { app, tls };
}
