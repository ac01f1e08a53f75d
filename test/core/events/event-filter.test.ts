import { describe, expect, it } from 'vitest';
import { CoreError } from '../../../server/core/errors.ts';
import { facilities } from '../../../server/core/events/event-bus.ts';
import { parseEventFilter } from '../../../server/core/events/event-filter.ts';

const kept = (expression: string) => [...parseEventFilter(expression).facilities].sort();
const all = [...facilities].sort();

describe('parseEventFilter', () => {
  it('keeps everything for an empty expression (or only spaces)', () => {
    expect(kept('')).toEqual(all);
    expect(kept('  ')).toEqual(all);
  });

  it('keeps the names joined by |', () => {
    expect(kept('accounts')).toEqual(['accounts']);
    expect(kept('accounts|groups')).toEqual(['accounts', 'groups']);
    expect(kept(' accounts | volumes ')).toEqual(['accounts', 'volumes']);
  });

  it('removes a name after ^, from the names given or from everything when none is', () => {
    expect(kept('accounts|groups^groups')).toEqual(['accounts']);
    expect(kept('^status')).toEqual(all.filter((name) => name !== 'status'));
    expect(kept('^status^auth')).toEqual(all.filter((name) => name !== 'status' && name !== 'auth'));
    expect(kept('accounts^status|web')).toEqual(['accounts', 'web']);
  });

  it("takes Licorn's names as aliases of ours", () => {
    expect(kept('users|groups^inotifier')).toEqual(['accounts', 'groups']);
    expect(kept('inotifier')).toEqual(['watch']);
    expect(kept('^users')).toEqual(all.filter((name) => name !== 'accounts'));
  });

  it('matches an event by its facility', () => {
    const filter = parseEventFilter('accounts^status');
    expect(filter.matches({ facility: 'accounts' })).toBe(true);
    expect(filter.matches({ facility: 'status' })).toBe(false);
    expect(filter.matches({ facility: 'volumes' })).toBe(false);
  });

  it.each([
    ['accounts|nope', '"nope" is not a facility'],
    ['ACCOUNTS', '"ACCOUNTS" is not a facility'],
    ['accounts||groups', 'an empty name is not a facility'],
    ['accounts|', 'an empty name is not a facility'],
    ['^', 'an empty name is not a facility'],
    ['__proto__', '"__proto__" is not a facility'],
    ['constructor', '"constructor" is not a facility'],
    ['accounts&groups', '"accounts&groups" is not a facility'],
  ])('refuses %j naming the value and the valid names', (expression, reason) => {
    let error: unknown;
    try {
      parseEventFilter(expression);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CoreError);
    expect(error).toMatchObject({ code: 'invalid-argument', field: 'filter' });
    const { message } = error as CoreError;
    expect(message).toContain(reason);
    expect(message).toContain(`"${expression}"`);
    expect(message).toContain('valid names are accounts, groups, volumes, watch, status, web, auth, users');
  });

  it('refuses an expression longer than 256 characters', () => {
    expect(() => parseEventFilter('accounts|'.repeat(40))).toThrow(/longer than 256 characters/);
  });
});
