import { CoreError } from '../errors.ts';
import type { AccountsStore } from './accounts-store.ts';
import { applyCreateAccount } from './account-operations.ts';
import { applySetRole } from './licorn-roles.ts';
import { applyAddMembers } from './membership-operations.ts';
import { checkNotRestricted } from './account-permissions.ts';
import { checkNewHomeOnDisk } from './home-disk.ts';
import { parseAccountsCsv, toNewAccount, type CsvAccountRow, type CsvMapping } from './account-csv.ts';
import { validatePassword } from './password-policy.ts';
import type { AccountDatabase } from './account-database.ts';
import { throttleProgress, type ProgressListener } from './report-progress.ts';
import { checkNewAccountRules, getActorIn, type Requester } from './membership-rules.ts';
import type { Actor } from './account-permissions.ts';
import { getUidsInUse, type MachineProcesses, type UidUse } from './account-processes.ts';
import { createAccounts, type CreateAccountInput } from './account-transactions.ts';
import { type CoreMessageKey, counted, type MessageParam, say } from '../messages.ts';

// Would-be accounts checked on a copy of the database without writing anything (the create
// form as the admin types, a CSV import's dry run), and the CSV import itself.

// A problem of one field of a would-be account.
export interface FieldProblem {
  field: string;
  // In English; the web layer says it in the reader's language from the key and parameters.
  message: string;
  messageKey: CoreMessageKey;
  messageParams: Readonly<Record<string, MessageParam>>;
}

// The problems of a would-be account, one per field at fault, without writing anything:
// the create form asks as the admin types. A field found at fault is set aside and the
// rest checked again.
export async function checkNewAccount(
  store: AccountsStore,
  input: CreateAccountInput,
  by?: Requester,
  processes: MachineProcesses | null = null,
): Promise<FieldProblem[]> {
  // The UIDs the real create would not give (processes, kept homes): the same answer now.
  const uidsInUse = await getUidsInUse(processes, store.root, store.context.homeBase);
  const trial = store.database.clone();
  const actor = by ? getActorIn(trial, by) : undefined;
  const problems: FieldProblem[] = [];
  const candidate: Record<string, unknown> = { ...input };
  for (let attempt = 0; attempt < 10; attempt += 1) {
    try {
      const rules = actor && { actor, by: by! };
      const attempt = candidate as unknown as CreateAccountInput;
      await tryCreate(store, trial, attempt, input.createHome !== false, uidsInUse, rules);
      break;
    } catch (error) {
      if (!(error instanceof CoreError)) throw error;
      const field = error.field ?? 'row';
      if (problems.some((problem) => problem.field === field)) break;
      problems.push({
        field,
        message: error.message,
        messageKey: error.messageKey,
        messageParams: error.messageParams,
      });
      // A stand-in login lets the other fields be checked.
      if (field === 'login') candidate.login = 'licorn-validation-probe';
      else if (field === 'group') delete candidate.groups;
      else if (field in candidate) delete candidate[field];
      else break;
    }
  }
  return problems;
}

// Creates an account on `trial` (a copy of the database) with every check createAccount
// makes: the password policy, each field, the home, and with `rules` Licorn's rules for
// the actor; throws the first problem.
async function tryCreate(
  store: AccountsStore,
  trial: AccountDatabase,
  input: CreateAccountInput,
  withHome: boolean,
  uidsInUse: ReadonlyMap<number, UidUse>,
  rules?: { actor: Actor; by: Requester },
): Promise<void> {
  if (typeof input.password === 'string') validatePassword(input.password, input.login ?? '');
  const context = { ...store.context, uidsInUse };
  const joined = new Map<string, string[]>();
  const entry = applyCreateAccount(trial, { ...input, hash: '!' }, context, joined);
  // Its groups are joined on the trial only when Licorn's rules read them (an actor outside
  // "admins"); otherwise they are checked as joining checks them, without rewriting each
  // group's member list for every row (a 10,000-row import with groups was quadratic).
  if (rules && !rules.actor.inAdminsGroup) for (const [group, logins] of joined) applyAddMembers(trial, group, logins);
  else if (joined.size > 0) checkNotRestricted(entry, 'member');
  for (const [group, role] of Object.entries(input.roles ?? {})) applySetRole(trial, group, entry.login, role);
  if (rules) checkNewAccountRules(rules.actor, trial, context.defs, entry.login, input.system, rules.by.adminGroups);
  if (withHome) await checkNewHomeOnDisk(store.root, trial, entry.login, entry.home, context.homeBase);
}

// How a CSV import is run (see importCsv).
export interface CsvImportOptions {
  mapping?: CsvMapping;
  dryRun?: boolean;
  skipInvalid?: boolean;
  createHomes?: boolean;
  onProgress?: ProgressListener;
  by?: Requester;
  processes?: MachineProcesses | null;
}

// Imports accounts from CSV. Every row is checked first, against the accounts and the rows
// before it; `dryRun` stops there and reports. Otherwise rows with problems refuse the
// whole import (nothing written) unless `skipInvalid`, and the rest are created in one
// transaction (without homes when createHomes is false).
export async function importCsv(
  store: AccountsStore,
  text: string,
  options: CsvImportOptions = {},
): Promise<{ problems: (FieldProblem & { row: number })[]; created: string[] }> {
  const rows = parseAccountsCsv(text, options.mapping);
  const trial = store.database.clone();
  // Licorn's rules per row: the dry run reports a refusal as the row's problem.
  const rules = options.by ? { actor: getActorIn(trial, options.by), by: options.by } : undefined;
  const problems: (FieldProblem & { row: number })[] = [];
  const valid: CsvAccountRow[] = [];
  const report = throttleProgress(options.onProgress);
  const withHomes = options.createHomes !== false;
  const uidsInUse = await getUidsInUse(options.processes ?? null, store.root, store.context.homeBase);
  for (const [index, row] of rows.entries()) {
    report('checking', index + 1, rows.length);
    try {
      // A home in the way would refuse the real import too: it is reported now.
      await tryCreate(store, trial, { ...toNewAccount(row), password: row.password }, withHomes, uidsInUse, rules);
      valid.push(row);
    } catch (error) {
      if (!(error instanceof CoreError)) throw error;
      const { message, messageKey, messageParams } = error;
      problems.push({ row: row.row, field: error.field ?? 'row', message, messageKey, messageParams });
    }
  }
  if (options.dryRun) return { problems, created: [] };
  if (problems.length > 0 && !options.skipInvalid) {
    throw new CoreError(
      'invalid-argument',
      say('import.problems', {
        count: problems.length,
        problems: counted(problems.length),
        rows: counted(rows.length),
      }),
      { field: 'csv' },
    );
  }
  const created = await createAccounts(
    store,
    valid.map((row) => ({ ...toNewAccount(row), password: row.password ?? null, createHome: withHomes })),
    { onProgress: options.onProgress, by: options.by, processes: options.processes },
  );
  return { problems, created: created.map(({ account }) => account.login) };
}
