import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CoreError } from '../../../server/core/errors.ts';
import { say } from '../../../server/core/messages.ts';
import {
  validateDay,
  validateDescription,
  validateFullName,
  validateHome,
  validateId,
  validateName,
  validateShell,
} from '../../../server/core/accounts/validate-fields.ts';
import { projectDir } from '../../../server/project-dir.ts';

// What a regular expression's source looks like in a message: a character class, an anchor
// with a class or group, an escape class, a lookaround.
const regexLike = /\^\[|\[\^|\]\*|\]\+|\]\{|\[\$\]|\$\/|\\[pPdDsSwWu][{\]]?|\(\?[:=!<]|\[[a-z]-[a-z]/;

const messageOf = (check: () => unknown): string => {
  try {
    check();
  } catch (error) {
    expect(error).toBeInstanceOf(CoreError);
    return (error as CoreError).message;
  }
  throw new Error('the check accepted a value it should refuse');
};

describe("the core's validation messages", () => {
  it('say in words what is wrong and what is valid, naming the field and the value, never a regex', () => {
    const cases: [() => unknown, RegExp][] = [
      [
        () => validateName('Bad Name', 'login'),
        /^The login "Bad Name" is not valid \(it has capital letters\): use lowercase/,
      ],
      [() => validateName('héhéhé', 'login'), /^The login "héhéhé" is not valid \(it has accented/],
      [() => validateName(';-)', 'name'), /^The group name ";-\)" is not valid \(it does not begin with a letter/],
      [() => validateName('_-  -_', 'newName'), /^The new name "_-  -_" is not valid \(it has spaces\)/],
      [() => validateName('a$b', 'group'), /"\$" may only end it/],
      [() => validateName('`id`', 'member'), /^The login "`id`" is not valid/],
      [() => validateName('', 'login'), /^The login is missing: use lowercase letters/],
      [() => validateName('a'.repeat(40), 'login'), /too long: at most 32 characters/],
      [() => validateFullName('A:B'), /full name "A:B"/],
      [() => validateDescription('a\u202eb'), /description/],
      [() => validateHome('relative'), /home "relative"/],
      [() => validateHome('/home/é'), /home/],
      [() => validateShell('/bin/nope', ['/bin/bash']), /shell "\/bin\/nope": valid shells are/],
      [() => validateId(12, 'uid', 1000, 59999, say('ids.kind.standardAccounts')), /UID 12/],
      [() => validateDay(-3, 'expiry'), /expiry -3/],
    ];
    for (const [check, expected] of cases) {
      const message = messageOf(check);
      expect(message).toMatch(expected);
      expect(message, message).not.toMatch(regexLike);
    }
  });

  it('the regex detector itself catches the old message', () => {
    const old = 'Malformed login "Bad Name": must match ^[a-z_][a-z0-9_.-]*[$]?$ (lowercase letters…)';
    expect(old).toMatch(regexLike);
  });

  it('no source file of the core puts a regex into a message (a `.source`, or a pattern in a string)', async () => {
    const root = join(projectDir, 'server/core');
    // (demo/ holds seed files, such as a .bashrc, not messages.)
    const files = (await readdir(root, { recursive: true })).filter(
      (file) => file.endsWith('.ts') && !file.startsWith('demo/'),
    );
    expect(files.length).toBeGreaterThan(50);
    const offending: string[] = [];
    for (const file of files) {
      const text = await readFile(join(root, file), 'utf8');
      if (/\$\{[^}]*\.source\b[^}]*\}/.test(text)) offending.push(`${file}: interpolates a regex's source`);
      for (const literal of text.match(/(['"`])(?:\\.|(?!\1)[^\\\n])*\1/g) ?? []) {
        if (regexLike.test(literal) && /\s/.test(literal) && /[A-Za-z]{3,} [a-z]{2,}/.test(literal))
          offending.push(`${file}: ${literal.slice(0, 80)}`);
      }
    }
    expect(offending).toEqual([]);
  });
});
