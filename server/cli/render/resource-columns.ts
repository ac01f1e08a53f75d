import { accountViewSchema, type AccountView } from '../../core/accounts/account-schema.ts';
import { volumeSchema, type Volume } from '../../core/volumes/volume-schema.ts';
import { formatBytes, formatDays, getColumns } from './columns.ts';
import type { RowStyle } from './table.ts';

const accountFormats = {
  passwordChanged: (days: number | null) => formatDays(days),
  expiry: (days: number | null) => formatDays(days) || 'never',
};

// The accounts table (`licorn get users`) and one account's record (`get user NAME`).
export const accountColumns = getColumns<AccountView>(
  accountViewSchema,
  ['login', 'fullName', 'uid', 'primaryGroup', 'groups', 'shell', 'locked'],
  accountFormats,
);
export const accountRecord = getColumns<AccountView>(
  accountViewSchema,
  [
    'login',
    'fullName',
    'uid',
    'gid',
    'primaryGroup',
    'groups',
    'home',
    'shell',
    'locked',
    'system',
    'passwordChanged',
    'expiry',
  ],
  accountFormats,
);

// A locked account reads red, a system one dimmed.
export const accountStyle: RowStyle<AccountView> = (account) =>
  account.locked ? 'red' : account.system ? 'dim' : null;

const volumeFormats = {
  size: (bytes: number) => formatBytes(bytes),
  usage: (usage: Volume['usage']) =>
    usage ? `${formatBytes(usage.used)} of ${formatBytes(usage.total)} (${percent(usage.used, usage.total)})` : '',
  actions: (actions: Volume['actions']) =>
    actions
      .filter((action) => action.allowed)
      .map((action) => action.action)
      .join(','),
};

// The volumes table (`licorn get volumes`) and one volume's record.
export const volumeColumns = getColumns<Volume>(
  volumeSchema,
  ['name', 'size', 'fsType', 'label', 'mountPoint', 'usage', 'state'],
  volumeFormats,
);
export const volumeRecord = getColumns<Volume>(
  volumeSchema,
  [
    'name',
    'device',
    'disk',
    'size',
    'removable',
    'readOnly',
    'loopFile',
    'fsType',
    'label',
    'uuid',
    'mountPoint',
    'mountOptions',
    'usage',
    'state',
    'system',
    'reserved',
    'actions',
  ],
  volumeFormats,
);

// A system volume (never acted on) reads dimmed.
export const volumeStyle: RowStyle<Volume> = (volume) => (volume.system ? 'dim' : null);

function percent(part: number, whole: number): string {
  return whole > 0 ? `${Math.round((part * 100) / whole)} %` : '0 %';
}
