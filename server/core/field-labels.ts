import type { Locale } from '../../common/i18n/locales.ts';
import { accountViewSchema, passwordSchema } from './accounts/account-schema.ts';
import { groupSchema } from './accounts/group-schema.ts';
import { volumeSchema } from './volumes/volume-schema.ts';
import { type CoreMessageKey, renderMessage, say } from './messages.ts';

// The resources whose fields have labels: each one's description (its schema's titles are the
// English labels, the API's OpenAPI and the CLI's column names).
const resources = {
  account: { ...accountViewSchema.properties, password: passwordSchema },
  group: groupSchema.properties,
  volume: volumeSchema.properties,
} as const;

export type LabelledResource = keyof typeof resources;

// The fields of a resource that have a title, with it (the English label).
export function getFieldTitles(resource: LabelledResource): Record<string, string> {
  const titled = Object.entries(resources[resource]).flatMap(([field, schema]) => {
    const title = (schema as { title?: string }).title;
    return title === undefined ? [] : [[field, title] as const];
  });
  return Object.fromEntries(titled);
}

// A field's label as people of a language read it ("Full name", "Nom complet"): the core
// catalogue's fields.<resource>.<field>, else the schema's title, else the field's name.
export function getFieldLabel(resource: LabelledResource, field: string, locale: Locale): string {
  const title = getFieldTitles(resource)[field];
  if (title === undefined) return field;
  return renderMessage(say(`fields.${resource}.${field}` as CoreMessageKey), locale);
}

// The labels of some fields of a resource, by field (the CSV column picker's).
export function getFieldLabels<F extends string>(
  resource: LabelledResource,
  fields: readonly F[],
  locale: Locale,
): Record<F, string> {
  return Object.fromEntries(fields.map((field) => [field, getFieldLabel(resource, field, locale)])) as Record<
    F,
    string
  >;
}
