import type { Volume } from '../../core/volumes/volume-schema.ts';
import { join } from 'node:path';
import { defaultLocale, type Locale } from '../../../common/i18n/locales.ts';
import { getTranslator } from '../../../common/i18n/translator.ts';
import { formatPageBytes } from '../i18n/page-formats.ts';
import { type CoreMessage, renderMessage } from '../../core/messages.ts';

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
function describe(volume: Volume, locale: Locale): string {
  const label = volume.label ? ` ${quoteLabel(volume.label)}` : '';
  const fs = volume.fsType ? `${volume.fsType}, ` : '';
  return `${volume.device}${label} (${fs}${formatPageBytes(locale, volume.size)})`;
}

// The sentence a confirmation says before an action: what will happen, and what it means.
function getConfirmation(volume: Volume, action: ActionName, mediaDir: string, locale: Locale): string {
  const t = getTranslator(locale, 'pages');
  const what = describe(volume, locale);
  const where = volume.mountPoint ?? '';
  if (action === 'mount') {
    const fs = volume.fsType ?? t('volumes.confirm.itsFilesystem');
    return t('volumes.confirm.mount', { what, dir: `${mediaDir}/`, fs });
  }
  if (action === 'unmount') return t('volumes.confirm.unmount', { what, where });
  const after = volume.loopFile
    ? t('volumes.confirm.detachLoop', { file: volume.loopFile })
    : t('volumes.confirm.powerOff');
  return t(volume.mountPoint ? 'volumes.confirm.ejectMounted' : 'volumes.confirm.eject', { what, where, after });
}

// Where the core mounts volumes: /media, or <root>/media in a sandbox.
export function getMediaDir(root: string): string {
  return join(root, 'media');
}

// The row's data for views/volumes/_row.njk in a language, the same for the page and for
// every push to the pages in that language.
export function getVolumeRow(volume: Volume, mediaDir: string, locale: Locale = defaultLocale): VolumeRow {
  const t = getTranslator(locale, 'pages');
  const offered = volume.actions
    .filter((action) => action.allowed)
    .map(({ action }) => ({
      action,
      label: t(`volumes.actions.${action}`),
      confirm: getConfirmation(volume, action, mediaDir, locale),
    }));
  const refused = volume.actions.find((action) => !action.allowed && action.reasonMessage);
  const mount = volume.actions.find((action) => action.action === 'mount');
  const said = (message: CoreMessage | null) => message && renderMessage(message, locale);
  const { usage } = volume;
  return {
    volume,
    offered,
    // The core's reason in the row's language (a key and parameters: messages.ts).
    refusal:
      offered.length === 0
        ? (said(refused?.reasonMessage ?? null) ?? t('volumes.nothingNow'))
        : volume.state !== 'mounted' && mount && !mount.allowed
          ? said(mount.reasonMessage)
          : null,
    usedPercent: usage && usage.total > 0 ? Math.round((usage.used * 100) / usage.total) : null,
    forceConfirm: t('volumes.confirm.force', { what: describe(volume, locale), where: volume.mountPoint ?? '' }),
  };
}
