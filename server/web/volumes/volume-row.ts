import type { Volume } from '../../core/volumes/volume-schema.ts';
import { join } from 'node:path';
import { formatBytes } from '../../../common/format-bytes.ts';

type ActionName = Volume['actions'][number]['action'];

// What a row of the volumes page shows beyond the volume itself: the actions offered, and
// for each the sentence its confirmation says (what will happen, to what, where).
export interface VolumeRow {
  volume: Volume;
  // The actions the core allows now, in the core's order.
  offered: { action: ActionName; label: string; confirm: string }[];
  // Why nothing is offered (a system partition, a daemon that may not act), or why an
  // unmounted volume cannot be mounted (a filesystem outside Licorn's policy), else null.
  refusal: string | null;
  // The used share of the filesystem, 0–100, when mounted.
  usedPercent: number | null;
  // The sentence a forced unmount's confirmation says.
  forceConfirm: string;
}

const labels: Record<ActionName, string> = { mount: 'Mount', unmount: 'Unmount', eject: 'Eject' };

// Most characters of a label a confirmation quotes: anyone who labels a disk chooses it (up to
// 255 bytes), and it must neither push the sentence out of a phone's screen nor write one.
const maxQuotedLabel = 32;

// A label as a sentence quotes it: control and bidi characters (which could reorder the
// sentence around it) dropped, cut with an ellipsis, isolated (U+2068…U+2069) and in quotes.
export function quoteLabel(label: string): string {
  const plain = [...label.replace(/[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]/gu, '')];
  const shown = plain.length > maxQuotedLabel ? `${plain.slice(0, maxQuotedLabel - 1).join('')}…` : plain.join('');
  return `"\u2068${shown}\u2069"`;
}

// How the page names a volume: its device, its label when it has one, its filesystem and size.
function describe(volume: Volume): string {
  const label = volume.label ? ` ${quoteLabel(volume.label)}` : '';
  const fs = volume.fsType ? `${volume.fsType}, ` : '';
  return `${volume.device}${label} (${fs}${formatBytes(volume.size)})`;
}

// The sentence a confirmation says before an action: what will happen, and what it means.
function getConfirmation(volume: Volume, action: ActionName, mediaDir: string): string {
  const what = describe(volume);
  const where = volume.mountPoint ?? '';
  if (action === 'mount') {
    return `Mount ${what} under ${mediaDir}/, named after its label or UUID, with Licorn's options for ${volume.fsType ?? 'its filesystem'}?`;
  }
  if (action === 'unmount') {
    return `Unmount ${what} from ${where}? Its files stay on it; programs still using it make the unmount fail, and you will be shown which.`;
  }
  const after = volume.loopFile
    ? `detach the loop device (its image file ${volume.loopFile} stays)`
    : 'power the disk off, so that it can be unplugged';
  return `Eject ${what}? This ${volume.mountPoint ? `unmounts it from ${where}, then ` : ''}will ${after}. It then leaves this list.`;
}

// Where the core mounts volumes: /media, or <root>/media in a sandbox.
export function getMediaDir(root: string): string {
  return join(root, 'media');
}

// The row's data for views/volumes/_row.njk, the same for the page and for every push.
export function getVolumeRow(volume: Volume, mediaDir: string): VolumeRow {
  const offered = volume.actions
    .filter((action) => action.allowed)
    .map(({ action }) => ({ action, label: labels[action], confirm: getConfirmation(volume, action, mediaDir) }));
  const refused = volume.actions.find((action) => !action.allowed && action.reason);
  const mount = volume.actions.find((action) => action.action === 'mount');
  const { usage } = volume;
  return {
    volume,
    offered,
    refusal:
      offered.length === 0
        ? (refused?.reason ?? 'Nothing can be done to it now')
        : volume.state !== 'mounted' && mount && !mount.allowed
          ? mount.reason
          : null,
    usedPercent: usage && usage.total > 0 ? Math.round((usage.used * 100) / usage.total) : null,
    forceConfirm: `Force the unmount of ${describe(volume)} from ${volume.mountPoint ?? ''}? The processes holding it are sent SIGTERM, then SIGKILL if they ignore it, and lose what they have not saved; a mount still held after that is detached lazily and reported.`,
  };
}
