import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CoreError } from '../../../core/errors.ts';
import { volumeSchema, type Volume } from '../../../core/volumes/volume-schema.ts';
import Type from 'typebox';
import { coreMessageSchema } from '../../../core/message-schema.ts';
import type { VolumeActor } from '../../../core/volumes/volumes-api.ts';
import { conflictSchema, errorSchema } from './error-schemas.ts';
import { quoted, say } from '../../../core/messages.ts';

const nameParams = { type: 'object', required: ['name'], properties: { name: volumeSchema.properties.name } } as const;
// A refused unmount or eject (409) names the processes holding the mount.
const errors = { 400: errorSchema, 403: errorSchema, 404: errorSchema, 409: conflictSchema };
const tags = ['volumes'];
// Mount and eject take nothing but the name: an empty object (or no body) and nothing else.
const noBody = { type: 'object', additionalProperties: false, properties: {} } as const;

// The volumes API (`/api/v1/volumes…`), for admins: the machine's block devices and
// partitions (system ones included, read-only), mount, unmount (refused while busy, with
// the holders; `force` ends them), eject, and Licorn's "reserved" marker. The core checks
// and audits every action (it reads the machine again first: the name is looked up there);
// the page follows the `volumes` topic, never the answers.
export default async function volumesApiRoutes(app: FastifyInstance): Promise<void> {
  const { volumes } = app.core;
  const admin = { admin: true };

  const getExisting = (name: string): Volume => {
    const volume = volumes.get(name);
    if (!volume) throw new CoreError('not-found', say('volumes.notFound', { name: quoted(name) }), { field: 'name' });
    return volume;
  };
  // The actor, with a check of their rights that the core runs inside its queue, just before
  // acting: the session looked up again (its account's files read now), still an admin's.
  const getActor = (request: FastifyRequest): VolumeActor => {
    const { id, login } = request.session!;
    return {
      login,
      address: request.ip,
      checkRights: () => {
        if (app.sessions.use(id)?.isAdmin) return;
        throw new CoreError('permission-denied', say('web.volumes.noLongerAdmin', { login: quoted(login) }), {
          field: 'session',
        });
      },
    };
  };

  app.get(
    '/api/v1/volumes',
    {
      config: admin,
      schema: {
        tags,
        summary: "The machine's volumes, and whether this daemon may act on them (and why not)",
        response: {
          200: {
            type: 'object',
            properties: {
              writable: {
                type: 'object',
                properties: {
                  allowed: { type: 'boolean' },
                  // English for scripts; the message says it in any language (messages.ts).
                  reason: { type: ['string', 'null'] },
                  reasonMessage: Type.Union([coreMessageSchema, Type.Null()]),
                },
              },
              volumes: { type: 'array', items: volumeSchema },
            },
          },
        },
      },
    },
    async () => ({ writable: volumes.writable, volumes: volumes.list() }),
  );

  app.get<{ Params: { name: string } }>(
    '/api/v1/volumes/:name',
    {
      config: admin,
      schema: { tags, summary: 'One volume', params: nameParams, response: { 200: volumeSchema, ...errors } },
    },
    async (request) => getExisting(request.params.name),
  );

  app.post<{ Params: { name: string } }>(
    '/api/v1/volumes/:name/mount',
    {
      config: admin,
      schema: {
        tags,
        summary: "Mount a volume on /media/<label or UUID> with Licorn's options for its filesystem",
        params: nameParams,
        body: noBody,
        response: { 200: volumeSchema, ...errors },
      },
    },
    async (request) => volumes.mount(request.params.name, getActor(request)),
  );

  app.post<{ Params: { name: string }; Body: { force?: boolean } | undefined }>(
    '/api/v1/volumes/:name/unmount',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Unmount a volume; refused (409, with the holders) while processes use it, unless force',
        params: nameParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            force: { type: 'boolean', description: 'end the processes holding it (SIGTERM), then detach lazily' },
          },
        },
        response: { 200: volumeSchema, ...errors },
      },
    },
    async (request) => volumes.unmount(request.params.name, getActor(request), { force: request.body?.force === true }),
  );

  app.post<{ Params: { name: string } }>(
    '/api/v1/volumes/:name/eject',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Unmount (refused while busy), then detach a loop device or power off a removable disk',
        params: nameParams,
        body: noBody,
        response: { 204: { type: 'null', description: 'ejected: the volume is gone' }, ...errors },
      },
    },
    async (request, reply) => {
      await volumes.eject(request.params.name, getActor(request));
      return reply.code(204).send();
    },
  );

  app.patch<{ Params: { name: string }; Body: { reserved: boolean } }>(
    '/api/v1/volumes/:name',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Mark a volume reserved (kept for backups: never auto-mounted for users) or not',
        params: nameParams,
        body: {
          type: 'object',
          required: ['reserved'],
          additionalProperties: false,
          properties: { reserved: volumeSchema.properties.reserved },
        },
        response: { 200: volumeSchema, ...errors },
      },
    },
    async (request) => volumes.setReserved(request.params.name, request.body.reserved, getActor(request)),
  );
}
