import Type, { type Static } from 'typebox';

// The one description of an account as the pages, the API (response schema and OpenAPI), the
// browser and the CLI see it (the titles are the CLI's column names): never its hash.
export const accountViewSchema = Type.Object({
  login: Type.String({ title: 'Login' }),
  fullName: Type.String({ title: 'Full name' }),
  uid: Type.Integer({ title: 'UID' }),
  gid: Type.Integer({ title: 'GID' }),
  primaryGroup: Type.Union([Type.String(), Type.Null()], { title: 'Primary group' }),
  groups: Type.Array(Type.String(), { title: 'Groups' }),
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
