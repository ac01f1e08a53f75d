import Type, { type Static } from 'typebox';

// The one description of an account as the pages, the API (response schema and OpenAPI), the
// browser and the CLI see it: never its hash.
export const accountViewSchema = Type.Object({
  login: Type.String(),
  fullName: Type.String(),
  uid: Type.Integer(),
  gid: Type.Integer(),
  primaryGroup: Type.Union([Type.String(), Type.Null()]),
  groups: Type.Array(Type.String()),
  home: Type.String(),
  shell: Type.String(),
  locked: Type.Boolean(),
  system: Type.Boolean(),
  passwordChanged: Type.Union([Type.Integer(), Type.Null()], { description: 'days since 1970' }),
  expiry: Type.Union([Type.Integer(), Type.Null()], { description: 'days since 1970, null for never' }),
  // Changes whenever any field above does: an edit based on another version is stale (409).
  version: Type.String({ description: 'send it back with a change; a stale one gets 409' }),
});

// An account as the pages and the API show it.
export type AccountView = Static<typeof accountViewSchema>;
