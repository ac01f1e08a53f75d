import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { groupSchema, groupListSchema, newGroupSchema } from '../../../server/core/accounts/group-schema.ts';
import { useApiTestApp } from '../../helpers/test-app.ts';

// The group's one description (group-schema.ts) is what the API answers, what it checks and
// what OpenAPI says: a field the core adds reaches all three, and none keeps its own copy.
describe("the group's one description", () => {
  const api = useApiTestApp();
  const ajv = new Ajv({ strict: true });
  const isGroup = ajv.compile({ ...groupSchema, additionalProperties: false });

  it('describes every group the API answers, field for field, nothing more', async () => {
    const { groups } = (await api.call(api.admin, 'GET', '/api/v1/groups')).json() as { groups: unknown[] };
    expect(groups.length).toBeGreaterThan(10);
    for (const group of groups) expect(isGroup(group), JSON.stringify(isGroup.errors)).toBe(true);
    const one = (await api.call(api.admin, 'GET', '/api/v1/groups/developers')).json();
    expect(Object.keys(one).sort()).toEqual(Object.keys(groupSchema.properties).sort());
  });

  it('is the OpenAPI of the groups routes: responses and bodies', async () => {
    const spec = (await api.call(api.admin, 'GET', '/api/v1/openapi.json')).json();
    const one = spec.paths['/api/v1/groups/{name}'];
    expect(Object.keys(one.get.responses['200'].content['application/json'].schema.properties).sort()).toEqual(
      Object.keys(groupSchema.properties).sort(),
    );
    const list = spec.paths['/api/v1/groups'];
    expect(Object.keys(list.get.responses['200'].content['application/json'].schema.properties)).toEqual(
      Object.keys(groupListSchema.properties),
    );
    expect(list.post.requestBody.content['application/json'].schema).toMatchObject({
      required: ['name'],
      properties: Object.fromEntries(Object.keys(newGroupSchema.properties).map((key) => [key, expect.any(Object)])),
    });
    expect(one.patch.requestBody.content['application/json'].schema.required).toEqual(['version']);
  });

  it('refuses a body the schema refuses, naming the field', async () => {
    const answer = await api.call(api.admin, 'POST', '/api/v1/groups', { name: 'schemagroup', gid: -1 });
    expect(answer.statusCode).toBe(400);
    expect(answer.json()).toMatchObject({ field: 'gid' });
    const extra = await api.call(api.admin, 'POST', '/api/v1/groups', { name: 'schemagroup', colour: 'red' });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().message).toContain('colour');
  });
});
