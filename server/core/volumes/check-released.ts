import { constants } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { CoreError } from '../errors.ts';
import { type CoreMessage, say } from '../messages.ts';

// Why the block device `name` is still in use, or null: a filesystem on it still alive (a
// lazily detached mount whose files are open, a bind mount elsewhere, another namespace's
// mount) or a device stacked on it (device-mapper, RAID). Linux answers an O_EXCL open of a
// block device with EBUSY while anything claims it, which mountinfo alone does not show.
export async function getInUseReason(name: string): Promise<CoreMessage | null> {
  const stacked = await readdir(`/sys/class/block/${name}/holders`).catch(() => [] as string[]);
  if (stacked.length > 0)
    return say('volumes.stacked', { name, holders: stacked.map((entry) => `/dev/${entry}`).join(', ') });
  const flags = constants.O_RDONLY | constants.O_EXCL | constants.O_NONBLOCK;
  try {
    const handle = await open(`/dev/${name}`, flags);
    await handle.close();
    return null;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EBUSY') return say('volumes.stillAlive', { name });
    // No node (a sandbox's /dev, a device gone meanwhile): nothing claims it through us.
    return null;
  }
}

// Refuses ('in-use') to detach or power off a disk while it or one of its partitions is
// still claimed; nothing is changed.
export async function checkReleased(names: string[], disk: string): Promise<void> {
  for (const name of names) {
    const reason = await getInUseReason(name);
    if (reason) {
      throw new CoreError('in-use', say('volumes.ejectInUse', { disk, reason }), {
        field: 'name',
        details: [],
      });
    }
  }
}
