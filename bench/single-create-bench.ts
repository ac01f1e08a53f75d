// Single creates with N accounts and their N homes present (LICORN_BENCH_ACCOUNTS), alone:
// node --import tsx bench/single-create-bench.ts. LICORN_BENCH_SINGLE_ROOT names a root kept
// between runs (made once: the accounts by one bulk create, then a home for each), so that
// two trees can be timed against the same root, alternated; each run adds 31 accounts.
// Unset, a temporary root is made and removed.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDemoRoot } from '../server/core/demo/create-demo-root.ts';
import { AccountsService } from '../server/core/accounts/accounts-service.ts';
import { EventBus } from '../server/core/events/event-bus.ts';
import { benchAccounts, useWideRanges, widenRoot } from './bench-accounts.ts';
import { makeHomes, timeSingleCreates } from './single-creates.ts';
import { quantile } from './statistics.ts';

useWideRanges();
const kept = process.env.LICORN_BENCH_SINGLE_ROOT;
const dir = kept ? null : await mkdtemp(join(tmpdir(), 'licorn-single-bench-'));
const root = kept ?? join(dir!, 'root');
try {
  if (!existsSync(join(root, 'etc/passwd'))) {
    await createDemoRoot(root);
    await widenRoot(root);
    const service = await AccountsService.open({ root, events: new EventBus() });
    await service.createAccounts(
      Array.from({ length: benchAccounts }, (_, i) => ({ login: `bulk${i}`, password: null, createHome: false })),
    );
    await service.close();
  }
  const made = await makeHomes(root);
  const service = await AccountsService.open({ root, events: new EventBus() });
  const run = Date.now().toString(36);
  // The first create after the start reads every home once.
  const first = await timeSingleCreates(service, `f${run}x`, 1);
  const { wall, cpu } = await timeSingleCreates(service, `s${run}x`, 30);
  await service.close();
  const ms = (value: number) => value.toFixed(1);
  process.stdout.write(
    `${benchAccounts} accounts, ${made} homes made now; load ${loadavg()[0]!.toFixed(1)}\n` +
      `first create: wall ${ms(first.wall[0]!)} ms, CPU ${ms(first.cpu[0]!)} ms\n` +
      `30 single creates: wall median ${ms(quantile(wall, 0.5))} p95 ${ms(quantile(wall, 0.95))} ms; ` +
      `CPU median ${ms(quantile(cpu, 0.5))} p95 ${ms(quantile(cpu, 0.95))} ms\n`,
  );
} finally {
  if (dir) await rm(dir, { recursive: true, force: true });
}
