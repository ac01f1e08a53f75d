import Type, { type Static } from 'typebox';
import { memberRoleSchema } from './group-schema.ts';

// One of an account's groups as people read it: the group, and the account's Licorn role in
// it when it is a standard group (its helper groups rsp-G and gst-G are that role, never
// listed on their own).
export const membershipSchema = Type.Object({
  group: Type.String({ title: 'Group' }),
  role: Type.Union([memberRoleSchema, Type.Null()], {
    title: 'Role',
    description: 'guest, member or responsible of a standard group; null in a group without roles',
  }),
});

// The one description of an account as the pages, the API (response schema and OpenAPI), the
// browser and the CLI see it (the titles are the CLI's column names): never its hash.
export const accountViewSchema = Type.Object({
  login: Type.String({ title: 'Login' }),
  fullName: Type.String({ title: 'Full name' }),
  uid: Type.Integer({ title: 'UID' }),
  gid: Type.Integer({ title: 'GID' }),
  primaryGroup: Type.Union([Type.String(), Type.Null()], { title: 'Primary group' }),
  // Kept raw, for scripts: what `id -Gn` prints (the primary group aside) and what a PATCH's
  // `groups` replaces whole, as usermod -G does. Without the helper groups, a script reading an
  // account, adding a group and sending `groups` back would silently take its roles away.
  groups: Type.Array(Type.String(), {
    title: 'System groups',
    description:
      'the supplementary groups as the group file lists them, helper groups (rsp-G, gst-G) included: ' +
      "what a change's groups replaces whole; people read memberships",
  }),
  memberships: Type.Array(membershipSchema, {
    title: 'Groups',
    description:
      "the supplementary groups with the account's role in each (a helper group read as its role, never listed): " +
      'what the pages, the CLI and the CSV export show',
  }),
  home: Type.String({ title: 'Home' }),
  shell: Type.String({ title: 'Shell' }),
  locked: Type.Boolean({ title: 'Locked' }),
  system: Type.Boolean({ title: 'System' }),
  passwordChanged: Type.Union([Type.Integer(), Type.Null()], {
    title: 'Password changed',
    description: 'days since 1970',
  }),
  expiry: Type.Union([Type.Integer(), Type.Null()], {
    title: 'Expires',
    description: 'days since 1970, null for never',
  }),
  // Changes whenever any field above does: an edit based on another version is stale (409).
  version: Type.String({ title: 'Version', description: 'send it back with a change; a stale one gets 409' }),
});

// An account as the pages and the API show it.
export type AccountView = Static<typeof accountViewSchema>;

// One group of an account, with its role.
export type Membership = Static<typeof membershipSchema>;

// A password as an account's creation or a CSV import takes it: in clear, hashed by the core,
// never returned.
export const passwordSchema = Type.String({ title: 'Password', maxLength: 4096 });
