import { getPidsHolding } from './find-holders.ts';
import type { VolumeHolder } from './volumes-api.ts';

// How long the holders get after SIGTERM, then after SIGKILL (a process in D state, on a
// dying disk, never dies: it is reported, never waited for without end).
const termGraceMs = 3000;
const killGraceMs = 2000;

// The holders still holding `dev` among `holders` (init and licornd itself are never signalled
// and stay in the list if they hold it).
async function getStillHolding(
  holders: VolumeHolder[],
  dev: string,
  mountIds: ReadonlySet<number>,
): Promise<VolumeHolder[]> {
  const holding = await getPidsHolding(
    holders.map((holder) => holder.pid),
    dev,
    mountIds,
  );
  return holders.filter((holder) => holding.has(holder.pid));
}

// Sends `signal` to each holder that still holds `dev` at that moment (PIDs are checked again
// just before: one seen during the scan may have exited and been reused).
async function signalHolders(
  holders: VolumeHolder[],
  dev: string,
  mountIds: ReadonlySet<number>,
  signal: NodeJS.Signals,
): Promise<void> {
  const holding = await getPidsHolding(
    holders.filter((holder) => holder.pid !== 1 && holder.pid !== process.pid).map((holder) => holder.pid),
    dev,
    mountIds,
  );
  for (const holder of holders) {
    if (!holding.has(holder.pid)) continue;
    try {
      process.kill(holder.pid, signal);
    } catch {
      // exited meanwhile
    }
  }
}

// Polls until none of `holders` holds `dev`, or `ms` pass; those still holding.
async function waitForRelease(
  holders: VolumeHolder[],
  dev: string,
  mountIds: ReadonlySet<number>,
  ms: number,
): Promise<VolumeHolder[]> {
  const deadline = Date.now() + ms;
  let still = await getStillHolding(holders, dev, mountIds);
  while (still.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    still = await getStillHolding(still, dev, mountIds);
  }
  return still;
}

// Ends the processes holding the filesystem `dev` (mounted as `mountIds`): SIGTERM, a bounded wait, SIGKILL to those
// that ignored it, a bounded wait again. Returns who got SIGKILL and who still holds it.
export async function endHolders(
  holders: VolumeHolder[],
  dev: string,
  mountIds: ReadonlySet<number>,
): Promise<{ killed: VolumeHolder[]; remaining: VolumeHolder[] }> {
  await signalHolders(holders, dev, mountIds, 'SIGTERM');
  const stubborn = await waitForRelease(holders, dev, mountIds, termGraceMs);
  const killable = stubborn.filter((holder) => holder.pid !== 1 && holder.pid !== process.pid);
  if (killable.length === 0) return { killed: [], remaining: stubborn };
  await signalHolders(killable, dev, mountIds, 'SIGKILL');
  const remaining = await waitForRelease(stubborn, dev, mountIds, killGraceMs);
  return { killed: killable, remaining };
}
