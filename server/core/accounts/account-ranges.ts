import type { LoginDefs } from './parse-login-defs.ts';

// Licorn's ID ranges (REFERENCE.md's defaults), set from the daemon's configuration
// (accounts.system_id_min, accounts.standard_uid_max, accounts.standard_gid_max): below the
// system minimum and above the standard maxima are "restricted" IDs (root, daemons, nobody)
// that Licorn never touches. login.defs still gives where the standard ranges start
// (UID_MIN, GID_MIN) and the system ones end, as useradd reads them; the configured bounds
// cap them. One policy per process, set once at start like the admin groups: the permission
// rules ask it from places that hold no configuration (an account view, a group's page).

// The configured bounds.
export interface AccountRanges {
  systemIdMin: number;
  standardUidMax: number;
  standardGidMax: number;
}

// Licorn's defaults: standard UIDs up to 29999, standard GIDs up to 29999, system IDs from 300.
export const defaultAccountRanges: AccountRanges = Object.freeze({
  systemIdMin: 300,
  standardUidMax: 29999,
  standardGidMax: 29999,
});

let current: AccountRanges = defaultAccountRanges;

// Sets the process's ranges (the core does, from the configuration, before opening the files).
export function setAccountRanges(ranges: AccountRanges): void {
  current = Object.freeze({ ...ranges });
}

// The process's ranges.
export function getAccountRanges(): AccountRanges {
  return current;
}

// Whether an ID is one useradd and groupadd never hand out, whatever the ranges: 65534
// (nobody, nogroup, NFS's squashed root), 65535 ((uint16)-1) and (uint32)-2, -1 (the
// "no ID" of chown and setresuid). Raising the standard maxima past them (100,000 accounts)
// must not make nobody an account an admin can open, nor give them to a new account.
export function isNeverHandedOut(id: number): boolean {
  return id === 65534 || id === 65535 || id >= 4294967294;
}

// Whether an ID is in a standard range [min, max] (login.defs' capped by the bounds) and
// not one never handed out: nobody stays a system account in a range raised past 65534.
export function isStandardId(id: number, min: number, max: number): boolean {
  return id >= min && id <= max && !isNeverHandedOut(id);
}

// Whether a UID is one Licorn never touches (below 300 or above 29999 by default, and
// nobody's whatever the ranges).
export function isRestrictedUid(uid: number): boolean {
  return uid < current.systemIdMin || uid > current.standardUidMax || isNeverHandedOut(uid);
}

// Whether a GID is one Licorn never touches (below 300 or above 29999 by default, and
// nogroup's whatever the ranges).
export function isRestrictedGid(gid: number): boolean {
  return gid < current.systemIdMin || gid > current.standardGidMax || isNeverHandedOut(gid);
}

// login.defs' ranges capped by the configured bounds: Licorn never creates, counts as
// standard or offers an ID it would then refuse to touch (with Debian's UID_MAX 60000 and
// the default 29999, UIDs 30000–60000 are restricted, not standard).
export function applyAccountRanges(defs: LoginDefs, ranges: AccountRanges = current): LoginDefs {
  return {
    ...defs,
    uidMax: Math.min(defs.uidMax, ranges.standardUidMax),
    gidMax: Math.min(defs.gidMax, ranges.standardGidMax),
    sysUidMin: Math.max(defs.sysUidMin, ranges.systemIdMin),
    sysGidMin: Math.max(defs.sysGidMin, ranges.systemIdMin),
  };
}

// Why the configured bounds cannot work with this login.defs, or null: a standard range
// left empty or starting among the restricted IDs, or standard IDs that run into the
// subordinate IDs given to containers (a container's root would be an account).
export function getRangesConflict(defs: LoginDefs, ranges: AccountRanges = current): string | null {
  // Above UID_MIN, useradd's first standard IDs would be restricted: created, then untouchable.
  if (ranges.systemIdMin > defs.uidMin)
    return `accounts.system_id_min = ${ranges.systemIdMin} is above login.defs' UID_MIN ${defs.uidMin}`;
  if (ranges.systemIdMin > defs.gidMin)
    return `accounts.system_id_min = ${ranges.systemIdMin} is above login.defs' GID_MIN ${defs.gidMin}`;
  if (ranges.standardUidMax < defs.uidMin)
    return `accounts.standard_uid_max = ${ranges.standardUidMax} is below login.defs' UID_MIN ${defs.uidMin}`;
  if (ranges.standardGidMax < defs.gidMin)
    return `accounts.standard_gid_max = ${ranges.standardGidMax} is below login.defs' GID_MIN ${defs.gidMin}`;
  const uidTop = Math.min(defs.uidMax, ranges.standardUidMax);
  if (defs.subUidCount > 0 && uidTop >= defs.subUidMin)
    return (
      `accounts.standard_uid_max = ${ranges.standardUidMax} overlaps the subordinate UIDs from login.defs' ` +
      `SUB_UID_MIN ${defs.subUidMin}: raise SUB_UID_MIN above it or lower the key`
    );
  const gidTop = Math.min(defs.gidMax, ranges.standardGidMax);
  if (defs.subGidCount > 0 && gidTop >= defs.subGidMin)
    return (
      `accounts.standard_gid_max = ${ranges.standardGidMax} overlaps the subordinate GIDs from login.defs' ` +
      `SUB_GID_MIN ${defs.subGidMin}: raise SUB_GID_MIN above it or lower the key`
    );
  return null;
}
