// The rules of the volumes page and API: admins and licorn-wmi only.
import { request, probe, adminPage, adminApi, type Probe } from './probes.ts';

export const volumeRules: Record<string, Probe[]> = {
  // Volumes: admins and licorn-wmi read and act; a volume that does not exist is 404 to them
  // only (rights are checked first). Acting on real devices: test/web/routes/api/volumes-api.test.ts.
  'GET /volumes/': [adminPage('/volumes/')],
  'GET /api/v1/volumes': [adminApi(request('GET', '/api/v1/volumes'))],
  'GET /api/v1/volumes/:name': [
    probe('none such', request('GET', '/api/v1/volumes/nonesuch9'), { none: 401, member: 403, wmi: 404, admins: 404 }),
  ],
  'POST /api/v1/volumes/:name/mount': [
    probe('none such', request('POST', '/api/v1/volumes/nonesuch9/mount', {}), {
      none: 401,
      member: 403,
      wmi: 404,
      admins: 404,
    }),
  ],
  'POST /api/v1/volumes/:name/unmount': [
    probe('none such', request('POST', '/api/v1/volumes/nonesuch9/unmount', { force: true }), {
      none: 401,
      member: 403,
      wmi: 404,
      admins: 404,
    }),
  ],
  'POST /api/v1/volumes/:name/eject': [
    probe('none such', request('POST', '/api/v1/volumes/nonesuch9/eject', {}), {
      none: 401,
      member: 403,
      wmi: 404,
      admins: 404,
    }),
  ],
  'PATCH /api/v1/volumes/:name': [
    probe('none such', request('PATCH', '/api/v1/volumes/nonesuch9', { reserved: true }), {
      none: 401,
      member: 403,
      wmi: 404,
      admins: 404,
    }),
  ],
};
