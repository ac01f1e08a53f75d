// A daemon whose saved status history is 600 samples, one a second up to now: the Status page
// opened on it draws a full 10 minutes, then samples live, over a real WebSocket.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createDemoRoot } from '../server/core/demo/create-demo-root.ts';
import { testPasswords } from '../test/helpers/sandbox.ts';
import { packHistory } from '../common/pack-history.ts';
import type { StatusSample } from '../server/core/status/status-monitor.ts';
import { startBenchDaemon, startServer, type ServerProcess } from './processes.ts';

// Starts this build's daemon, or `script` (another build's dist/server/main.js), in `dir`
// with the values of `samples` in turn (the soak's) as its 600 saved samples.
export async function startReplayDaemon(
  dir: string,
  samples: StatusSample[],
  script: string | null = null,
): Promise<ServerProcess> {
  const root = join(dir, 'root');
  await createDemoRoot(root, { passwords: testPasswords });
  const now = Date.now();
  const history = Array.from({ length: 600 }, (_, index) => ({
    time: now - (600 - index) * 1000,
    values: samples[index % samples.length]!.values,
  }));
  // The file beside the root, where the daemon reads it (server/config/load-config.ts).
  await writeFile(
    join(dir, 'status-history.json'),
    JSON.stringify({ version: 2, fine: [packHistory(history)], coarse: [] }),
  );
  if (!script) return startBenchDaemon(dir, root);
  // As startBenchDaemon starts this build's.
  const configFile = join(dir, 'licorn.conf');
  await writeFile(configFile, 'log.level = "warn"\n');
  const flags = ['--config', configFile, '--root', root, '--tls-dir', join(dir, 'certs'), '--port', '0'];
  return startServer(script, flags);
}
