import type { EventBus } from './event-bus.ts';

// Follows the events that change what an account looks like: `note` gets each login an
// event names (an account added, changed or removed; the accounts a group gained or lost),
// then `done` once per event. The stops are returned.
export function followAccountLogins(
  events: EventBus,
  note: (login: string) => void,
  done: () => void = () => {},
): (() => void)[] {
  const one = (login: string) => {
    note(login);
    done();
  };
  return [
    events.on('account-added', ({ data }) => one(data.login)),
    events.on('account-changed', ({ data }) => one(data.login)),
    events.on('account-removed', ({ data }) => one(data.login)),
    events.on('group-members-changed', ({ data }) => {
      for (const login of data.added) note(login);
      for (const login of data.removed) note(login);
      done();
    }),
  ];
}
