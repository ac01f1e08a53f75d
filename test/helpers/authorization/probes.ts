// Who calls, what a request aims at, and the builders of the probes the route rules are made of
// (test/helpers/authorization-rules.ts): each probe is one request and the status every caller gets.

// Who calls: as logged in, and what happened to the account since (after login).
export const identities = [
  'anonymous',
  'member',
  'wmi',
  'admins',
  'demoted',
  'locked',
  'deleted',
  'loggedOut',
] as const;
export type Identity = (typeof identities)[number];

// What the account files say the caller is now: that is what rights follow.
export type Standing = 'none' | 'member' | 'wmi' | 'admins';
export const standingOf: Record<Identity, Standing> = {
  anonymous: 'none',
  member: 'member',
  wmi: 'wmi',
  admins: 'admins',
  demoted: 'member', // was in licorn-wmi at login, removed from it since
  locked: 'none',
  deleted: 'none',
  loggedOut: 'none', // their session must be over
};

// What a request is aimed at, made fresh for each cell so that no cell disturbs another:
// a standard account, one in `admins`, a system account (UID 300–999), a restricted one
// (UID < 300: never touched), the caller's own account, or a standard group.
export type TargetKind = 'standard' | 'admin' | 'system' | 'restricted' | 'self' | 'group' | 'none';

// One cell's context: the caller's login and password, the row's plain member (whose
// password the anonymous caller logs in with), the target's name (fresh and unused when
// the kind is 'none'), and the current version of an account or group (a stale one is 409).
export interface CellContext {
  login: string | null;
  password: string;
  rowMember: string;
  target: string;
  getVersion(kind: 'account' | 'group', name: string): string;
}

export interface ProbeRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  payload?: object;
  // The request opens the push channel (a real WebSocket): 101 when it opens.
  socket?: boolean;
}

// One request tried by every identity, with the status each must get.
export interface Probe {
  name: string;
  target: TargetKind;
  build(context: CellContext): ProbeRequest;
  expect(identity: Identity): number[];
}

export const byStanding =
  (statuses: Record<Standing, number | number[]>) =>
  (identity: Identity): number[] =>
    [statuses[standingOf[identity]]].flat();

export const request = (method: ProbeRequest['method'], url: string, payload?: object): ProbeRequest => ({
  method,
  url,
  ...(payload ? { payload } : {}),
});

// A request everyone may send once logged in, or with the statuses given.
export const probe = (name: string, built: ProbeRequest, statuses: Record<Standing, number | number[]>): Probe => ({
  name,
  target: 'none',
  build: () => built,
  expect: byStanding(statuses),
});

// An admin page: the login form for no session (302), 403 for other accounts.
export const adminPage = (url: string): Probe =>
  probe('page', request('GET', url), { none: 302, member: 403, wmi: 200, admins: 200 });
// An admin API route: 401 without a session, 403 for other accounts.
export const adminApi = (built: ProbeRequest, name = 'api'): Probe =>
  probe(name, built, { none: 401, member: 403, wmi: 200, admins: 200 });
// A route of every logged-in account.
export const ownApi = (url: string): Probe =>
  probe('own', request('GET', url), { none: 401, member: 200, wmi: 200, admins: 200 });
export const ownForm = (name: string, build: Probe['build']): Probe => ({
  name,
  target: 'none',
  build,
  expect: byStanding({ none: 401, member: 303, wmi: 303, admins: 303 }),
});

// Who may make a change to a target: licorn-wmi and admins (staff), admins only, nobody.
export type Allowed = 'staff' | 'admins' | 'nobody';

// A change aimed at a target: 401 without a session, 403 to plain accounts, `ok` to those
// allowed and 403 to the others.
export const onTarget = (
  name: string,
  target: TargetKind,
  build: Probe['build'],
  ok: number,
  allowed: Allowed,
): Probe => ({
  name,
  target,
  build,
  expect: byStanding({
    none: 401,
    member: 403,
    wmi: allowed === 'staff' ? ok : 403,
    admins: allowed === 'nobody' ? 403 : ok,
  }),
});

// Staff touch standard accounts; only admins touch admin and system accounts; nobody
// touches restricted ones.
const accountTargets: [TargetKind, Allowed][] = [
  ['standard', 'staff'],
  ['admin', 'admins'],
  ['system', 'admins'],
  ['restricted', 'nobody'],
];
export const forEachAccountTarget = (ok: number, build: Probe['build']): Probe[] =>
  accountTargets.map(([kind, allowed]) => onTarget(kind, kind, build, ok, allowed));

export const accountUrl = (context: CellContext) => `/api/v1/accounts/${context.target}`;
export const accountVersion = (context: CellContext) => context.getVersion('account', context.target);
