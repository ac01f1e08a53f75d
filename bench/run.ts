// `npm run bench`: every benchmark, each with its baseline measured in the same run.
// `npm run bench -- web` (or accounts, pages, status, volumes, terminal, cli, shares, push-flood,
// locales, keepalive) runs one.
import { runAccountsBench } from './accounts-bench.ts';
import { runWebBench } from './web-bench.ts';
import { runPagesBench } from './pages-bench.ts';
import { runStatusBench } from './status-bench.ts';
import { runVolumesBench } from './volumes-bench.ts';
import { runTerminalBench } from './terminal-bench.ts';
import { runCliBench } from './cli-bench.ts';
import { runSharesBench } from './shares-bench.ts';
import { runPushFloodBench } from './push-flood-bench.ts';
import { runPushLocalesBench } from './push-locales-bench.ts';
import { runKeepAliveBench } from './keepalive-bench.ts';

const benches: Record<string, () => Promise<void>> = {
  web: runWebBench,
  accounts: runAccountsBench,
  pages: runPagesBench,
  status: runStatusBench,
  volumes: runVolumesBench,
  terminal: runTerminalBench,
  cli: runCliBench,
  shares: runSharesBench,
  'push-flood': runPushFloodBench,
  locales: runPushLocalesBench,
  keepalive: runKeepAliveBench,
};
const chosen = process.argv.slice(2);
for (const name of chosen.length > 0 ? chosen : Object.keys(benches)) {
  const bench = benches[name];
  if (!bench) {
    process.stderr.write(`unknown benchmark "${name}": one of ${Object.keys(benches).join(', ')}\n`);
    process.exit(2);
  }
  await bench();
}
