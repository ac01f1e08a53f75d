// Licorn's permission rules (REFERENCE.md, README's API section) as the expected answer of
// every route to every kind of caller. The authorization matrix test walks the app's routes
// and fails on a route missing here, so a new route has to be placed under the rules.

import { accountAndGroupRules } from './authorization/account-and-group-rules.ts';
import { pageAndSessionRules } from './authorization/page-and-session-rules.ts';
import type { Probe } from './authorization/probes.ts';
import { volumeRules } from './authorization/volume-rules.ts';

export {
  identities,
  standingOf,
  type CellContext,
  type Identity,
  type Probe,
  type ProbeRequest,
  type Standing,
  type TargetKind,
} from './authorization/probes.ts';

// Every route's probes, by `METHOD path` as the app registers it. A route written in two of
// the tables would have one silently win: refused here.
export const routeRules: Record<string, Probe[]> = {};
for (const table of [pageAndSessionRules, accountAndGroupRules, volumeRules]) {
  for (const [route, probes] of Object.entries(table)) {
    if (route in routeRules) throw new Error(`${route} has rules in two tables`);
    routeRules[route] = probes;
  }
}
