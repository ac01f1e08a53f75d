import Type, { type Static } from 'typebox';
import { coreMessageSchema } from '../message-schema.ts';

// The one description of a volume (a block device or partition): the API's response schema,
// the OpenAPI, the core's views, the page's rows and the CLI all use this schema and its type;
// the titles are the CLI's column names.

// What may be done to a volume now, or why not (a system partition, a busy mount, no root).
export const volumeActionSchema = Type.Object({
  action: Type.Union([Type.Literal('mount'), Type.Literal('unmount'), Type.Literal('eject')]),
  allowed: Type.Boolean(),
  // Why it is not allowed, in English words an admin reads ("it holds /"), else null.
  reason: Type.Union([Type.String(), Type.Null()]),
  // The same as a message (key and parameters), said in each reader's language, else null.
  reasonMessage: Type.Union([coreMessageSchema, Type.Null()]),
});

// Space on a mounted filesystem, from statfs, in bytes.
export const volumeUsageSchema = Type.Object({
  total: Type.Integer({ minimum: 0 }),
  used: Type.Integer({ minimum: 0 }),
  available: Type.Integer({ minimum: 0 }),
});

export const volumeSchema = Type.Object({
  // Kernel name, the key in URLs, DOM ids (`volume-<name>`) and events: `sda1`, `loop3`.
  name: Type.String({ title: 'Name', pattern: '^[A-Za-z0-9._:+-]{1,64}$' }),
  device: Type.String({ title: 'Device', description: 'the device node, /dev/<name>' }),
  // The whole disk a partition belongs to (`sda` for `sda1`); null for a whole disk or loop.
  disk: Type.Union([Type.String(), Type.Null()], { title: 'Disk' }),
  size: Type.Integer({ title: 'Size', minimum: 0, description: 'bytes' }),
  removable: Type.Boolean({ title: 'Removable' }),
  readOnly: Type.Boolean({ title: 'Read-only' }),
  // The file a loop device reads, as the kernel reports it; null for other devices.
  loopFile: Type.Union([Type.String(), Type.Null()], { title: 'Loop file' }),
  fsType: Type.Union([Type.String(), Type.Null()], {
    title: 'Filesystem',
    description: 'as blkid reports it: ext4, vfat…',
  }),
  label: Type.Union([Type.String(), Type.Null()], { title: 'Label' }),
  uuid: Type.Union([Type.String(), Type.Null()], { title: 'UUID' }),
  // Where it is mounted now (first mount in mountinfo), and with which options.
  mountPoint: Type.Union([Type.String(), Type.Null()], { title: 'Mounted on' }),
  mountOptions: Type.Union([Type.String(), Type.Null()], { title: 'Mount options' }),
  usage: Type.Union([volumeUsageSchema, Type.Null()], { title: 'Used' }),
  // not-responding: a tool (blkid, statfs, mount) stuck on the device past its deadline (a dying
  // disk, a loop over a hung FUSE or NFS file); its actions say why they are refused.
  state: Type.Union(
    [Type.Literal('mounted'), Type.Literal('unmounted'), Type.Literal('no-filesystem'), Type.Literal('not-responding')],
    { title: 'State' },
  ),
  // The machine's own partitions (/, /boot, /home, /var, /tmp, swap, fstab, the root's disk):
  // shown, never mounted, unmounted or ejected.
  system: Type.Boolean({ title: 'System' }),
  // Licorn's "reserved" marker (volumes kept for backups): never auto-mounted for users.
  reserved: Type.Boolean({ title: 'Reserved' }),
  actions: Type.Array(volumeActionSchema, { title: 'Actions' }),
});

// A volume as the core reports it.
export type Volume = Static<typeof volumeSchema>;
export type VolumeAction = Static<typeof volumeActionSchema>;
export type VolumeUsage = Static<typeof volumeUsageSchema>;
