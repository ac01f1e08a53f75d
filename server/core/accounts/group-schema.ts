import Type, { type Static } from 'typebox';

// The one description of a group: the core's view and details, the groups API's bodies,
// responses and OpenAPI, the groups pages' data and the browser's script all use these
// schemas and their types (the titles are the CLI's column names). A field added here reaches
// every one of them.

// A group name as requests carry it (the core checks the name's rules: validate-fields.ts).
export const groupNameSchema = Type.String({ minLength: 1, maxLength: 64 });
// A gid as gid_t holds it, less the -1 that means "none" to the kernel.
export const gidSchema = Type.Integer({ minimum: 0, maximum: 4_294_967_294 });
const descriptionSchema = Type.String({ maxLength: 4096 });
const logins = Type.Array(Type.String());
const orNull = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T, title: string) =>
  Type.Union([schema, Type.Null()], { title });

// A group as the core reads it from the files (account-view.ts getGroupView).
export const groupViewSchema = Type.Object({
  name: Type.String({ title: 'Name' }),
  gid: Type.Integer({ title: 'GID' }),
  description: Type.String({ title: 'Description' }),
  // Supplementary members, as the group file lists them (primary members are not).
  members: Type.Array(Type.String(), { title: 'Members' }),
  system: Type.Boolean({ title: 'System', description: 'a GID outside the standard range of login.defs' }),
  // Changes whenever any field above does: an edit based on another version is stale (409).
  version: Type.String({ description: 'send it back with a change; a stale one gets 409' }),
});

// A group as the API and the pages show it: the view, plus its Licorn roles and shared
// directory when it is a standard group (null otherwise) (group-details.ts).
export const groupSchema = Type.Object({
  ...groupViewSchema.properties,
  responsibles: orNull(logins, 'Responsibles'),
  guests: orNull(logins, 'Guests'),
  sharedDirectory: orNull(Type.String(), 'Shared directory'),
  // Whether members may change every file of the share (null: no share, or no Licorn ACL).
  permissive: orNull(Type.Boolean(), 'Permissive'),
  // Never deleted through the interface (group-operations.ts protectedGroups).
  protected: Type.Boolean({ title: 'Protected' }),
  // A helper group (rsp-G, gst-G) is a role in its standard group, shown there, never alone.
  helperOf: Type.Union(
    [Type.Object({ group: Type.String(), role: Type.Enum(['guest', 'responsible']) }), Type.Null()],
    { title: 'Role in', description: 'for a helper group: the standard group and the role it holds; else null' },
  ),
});

// The groups API's list.
export const groupListSchema = Type.Object({ groups: Type.Array(groupSchema) });

// What creating a group takes.
export const newGroupSchema = Type.Object(
  {
    name: groupNameSchema,
    description: Type.Optional(descriptionSchema),
    system: Type.Optional(Type.Boolean()),
    gid: Type.Optional(gidSchema),
  },
  { additionalProperties: false },
);

// A change to a group: any of its fields, with the version it was based on.
export const groupChangesSchema = Type.Object(
  {
    version: Type.String({ maxLength: 32 }),
    description: Type.Optional(descriptionSchema),
    newName: Type.Optional(groupNameSchema),
    permissive: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

// An account's role in a group (`none` takes it out).
export const groupRoleSchema = Type.Enum(['none', 'guest', 'member', 'responsible']);
// A role an account is given in a group (adding to a group: `none` would add nothing).
export const memberRoleSchema = Type.Enum(['guest', 'member', 'responsible']);

// The types of the schemas above: a group as the core reads it, with its details, and the bodies.
export type GroupView = Static<typeof groupViewSchema>;
export type Group = Static<typeof groupSchema>;
export type NewGroupBody = Static<typeof newGroupSchema>;
export type GroupChanges = Static<typeof groupChangesSchema>;
export type GroupRole = Static<typeof groupRoleSchema>;
