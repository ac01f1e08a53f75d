import { CoreError, type ErrorCode } from '../errors.ts';
import type { Volume, VolumeAction } from './volume-schema.ts';
import { type CoreMessageKey, quoted, say } from '../messages.ts';

// Checks a volume name before it reaches a path or a tool (the schema's pattern).
export function validateVolumeName(name: string): void {
  if (typeof name !== 'string' || !/^[A-Za-z0-9._:+-]{1,64}$/.test(name)) {
    const shown = quoted(String(name).slice(0, 80));
    throw new CoreError('invalid-argument', say('volumes.invalidName', { name: shown }), {
      field: 'name',
    });
  }
}

// The volume named, or 'not-found'.
export function getVolumeOrFail(volumes: readonly Volume[], name: string): Volume {
  validateVolumeName(name);
  const volume = volumes.find((candidate) => candidate.name === name);
  if (!volume) throw new CoreError('not-found', say('volumes.notFound', { name: quoted(name) }), { field: 'name' });
  return volume;
}

// The reasons that say this daemon may not act on a volume at all, whatever its state: it does
// not run as root, or the device is outside its sandbox. Read by their key, never their words
// (a mount point or a label may hold any of them).
const deniedReasons: ReadonlySet<CoreMessageKey> = new Set(['volumes.reason.notRoot', 'volumes.reason.outsideSandbox']);

// Whether an action of a volume is refused for one of `keys` (a reason's key, never its words).
export function isRefusedFor(entry: VolumeAction | undefined, keys: ReadonlySet<CoreMessageKey>): boolean {
  const key = entry?.reasonMessage?.key;
  return key !== undefined && keys.has(key);
}

// Throws when the volume's own list of actions refuses this one: 'permission-denied' for a
// system volume, a daemon that may not act or a device outside the sandbox, 'conflict' for a
// state (already mounted, not mounted, not removable, a filesystem Licorn leaves alone).
export function checkAction(volume: Volume, action: VolumeAction['action']): void {
  const entry = volume.actions.find((candidate) => candidate.action === action);
  if (!entry || entry.allowed) return;
  const reason = entry.reason ?? 'not allowed';
  const denied = volume.system || isRefusedFor(entry, deniedReasons) ? 'permission-denied' : 'conflict';
  const said = entry.reasonMessage ?? reason;
  throw new CoreError(denied as ErrorCode, say(`volumes.refused.${action}`, { name: volume.name, reason: said }), {
    field: 'name',
  });
}
