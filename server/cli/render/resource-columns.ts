import { accountViewSchema, type AccountView } from '../../core/accounts/account-schema.ts';
import { volumeSchema, type Volume } from '../../core/volumes/volume-schema.ts';
import { groupSchema, type Group } from '../../core/accounts/group-schema.ts';
import { formatBytes, formatDays, getColumns } from './columns.ts';
import type { Output } from './output.ts';
import { describeMembership } from '../../core/accounts/membership-words.ts';
import { defaultLocale } from '../../../common/i18n/locales.ts';
import { getEnvironmentLocale } from '../client/environment-locale.ts';
import { renderRecord, renderTable, type RowStyle } from './table.ts';

const accountFormats = {
  passwordChanged: (days: number | null) => formatDays(days),
  expiry: (days: number | null) => formatDays(days) || 'never',
  // Roles in the terminal's language ("responsible of accounting", "responsable de accounting").
  memberships: (memberships: AccountView['memberships']) =>
    memberships.map((membership) => describeMembership(membership, getEnvironmentLocale() ?? defaultLocale)).join(', '),
};

// The accounts table (`licorn get users`) and one account's record (`get user NAME`).
const accountColumns = getColumns<AccountView>(
  accountViewSchema,
  ['login', 'fullName', 'uid', 'primaryGroup', 'memberships', 'shell', 'locked'],
  accountFormats,
);
const accountRecord = getColumns<AccountView>(
  accountViewSchema,
  [
    'login',
    'fullName',
    'uid',
    'gid',
    'primaryGroup',
    'memberships',
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
const accountStyle: RowStyle<AccountView> = (account) => (account.locked ? 'red' : account.system ? 'dim' : null);

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
const volumeColumns = getColumns<Volume>(
  volumeSchema,
  ['name', 'size', 'fsType', 'label', 'mountPoint', 'usage', 'state'],
  volumeFormats,
);
const volumeRecord = getColumns<Volume>(
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
const volumeStyle: RowStyle<Volume> = (volume) => (volume.system ? 'dim' : null);

// The groups table (`licorn get groups`) and one group's record.
const groupColumns = getColumns<Group>(groupSchema, [
  'name',
  'gid',
  'description',
  'members',
  'responsibles',
  'guests',
]);
const groupRecord = getColumns<Group>(
  groupSchema,
  [
    'name',
    'gid',
    'description',
    'members',
    'responsibles',
    'guests',
    'sharedDirectory',
    'permissive',
    'system',
    'protected',
    'helperOf',
  ],
  {
    helperOf: (helperOf: Group['helperOf']) =>
      helperOf ? describeMembership(helperOf, getEnvironmentLocale() ?? defaultLocale) : '',
  },
);

// The tables and records of the resources. This module (and the schemas, TypeBox with them)
// is loaded only when one is printed: `--json` never needs it, and it is a good part of the
// command's start.
export const resourceViews = {
  accounts: (output: Output, rows: AccountView[]) => renderTable(output, accountColumns, rows, accountStyle),
  account: (output: Output, row: AccountView) => renderRecord(output, accountRecord, row),
  volumes: (output: Output, rows: Volume[]) => renderTable(output, volumeColumns, rows, volumeStyle),
  volume: (output: Output, row: Volume) => renderRecord(output, volumeRecord, row),
  groups: (output: Output, rows: Group[]) =>
    renderTable(output, groupColumns, rows, (group) => (group.system ? 'dim' : null)),
  group: (output: Output, row: Group) => renderRecord(output, groupRecord, row),
};

function percent(part: number, whole: number): string {
  return whole > 0 ? `${Math.round((part * 100) / whole)} %` : '0 %';
}
