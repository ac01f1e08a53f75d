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
import { getUidsInUse, type MachineProcesses } from './account-processes.ts';
import type { OperationContext } from './account-operations.ts';
import { createAccountEntries, type CreateAccountInput } from './account-transactions.ts';
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
  const uidsInUse = await getUidsInUse(processes, store.root, store.context.homeBase, store.homeOwners);
  const trial = store.database.clone();
  const actor = by ? getActorIn(trial, by) : undefined;
  const problems: FieldProblem[] = [];
  const candidate: Record<string, unknown> = { ...input };
  for (let attempt = 0; attempt < 10; attempt += 1) {
    try {
      const rules = actor && { actor, by: by! };
      const attempt = candidate as unknown as CreateAccountInput;
      await tryCreate(store, trial, attempt, input.createHome !== false, { ...store.context, uidsInUse }, rules);
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
  context: OperationContext,
  rules?: { actor: Actor; by: Requester },
): Promise<void> {
  if (typeof input.password === 'string') validatePassword(input.password, input.login ?? '');
  const joined = new Map<string, string[]>();
  const entry = applyCreateAccount(trial, { ...input, hash: '!' }, context, joined);
  const roles = Object.entries(input.roles ?? {});
  // Its groups are joined on the trial only when roles are given too (the create form; a CSV
  // has none): otherwise they are checked as joining checks them, and Licorn's rules read
  // the groups it would hold, without rewriting each group's growing member list for every
  // row (a 10,000-row import with groups was quadratic, for admins and then for the others).
  let held: Map<string, boolean> | undefined;
  if (roles.length > 0) for (const [group, logins] of joined) applyAddMembers(trial, group, logins);
  else if (joined.size > 0) checkNotRestricted(entry, 'member');
  if (roles.length === 0 && rules && !rules.actor.inAdminsGroup) held = getJoinedGroups(trial, entry, joined);
  for (const [group, role] of roles) applySetRole(trial, group, entry.login, role);
  if (rules) {
    const { actor, by } = rules;
    checkNewAccountRules(actor, trial, context.defs, entry.login, input.system, by.adminGroups, held);
  }
  if (withHome) await checkNewHomeOnDisk(store.root, trial, entry.login, entry.home, context.homeBase);
}

// The groups a new account would hold once it joined `joined`, in the order getHeldGroups
// reads them from the files (its primary group true, the others false): the same answer
// without the account added to the members of each group.
function getJoinedGroups(
  trial: AccountDatabase,
  entry: { login: string; gid: number },
  joined: ReadonlyMap<string, string[]>,
): Map<string, boolean> {
  const held = new Map<string, boolean>();
  for (const group of trial.group.entries()) {
    if (group.gid === entry.gid) held.set(group.name, true);
    else if (joined.has(group.name) || group.members.includes(entry.login)) held.set(group.name, false);
  }
  return held;
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

// Imports accounts from CSV. Every row is checked, against the accounts and the rows before
// it; `dryRun` stops there and reports. Otherwise rows with problems refuse the whole import
// (nothing written) unless `skipInvalid`, and the rest are created in one transaction
// (without homes when createHomes is false). Rows without passwords are tried in that
// transaction first, and checked one by one only if it refuses them.
export async function importCsv(
  store: AccountsStore,
  text: string,
  options: CsvImportOptions = {},
): Promise<{ problems: (FieldProblem & { row: number })[]; created: string[] }> {
  const rows = parseAccountsCsv(text, options.mapping);
  const withHomes = options.createHomes !== false;
  const create = async (valid: CsvAccountRow[]) => {
    const inputs = valid.map((row) => toNewAccount(row, withHomes));
    const { onProgress, by, processes } = options;
    const created = await createAccountEntries(store, inputs, { onProgress, by, processes });
    return created.map(({ entry }) => entry.login);
  };
  // Without passwords to hash, the rows are imported at once: the transaction checks each
  // as the dry run does (and refuses the whole of it, changing no file, at the first row at
  // fault); only then are they checked one by one to say which have problems. Checking them
  // first took as long as the import itself.
  let refusal: CoreError | null = null;
  if (!options.dryRun && rows.every((row) => row.password === undefined)) {
    try {
      return { problems: [], created: await create(rows) };
    } catch (error) {
      if (!(error instanceof CoreError)) throw error;
      refusal = error;
    }
  }
  const trial = store.database.clone();
  // Licorn's rules per row: the dry run reports a refusal as the row's problem.
  const rules = options.by ? { actor: getActorIn(trial, options.by), by: options.by } : undefined;
  const problems: (FieldProblem & { row: number })[] = [];
  const valid: CsvAccountRow[] = [];
  const report = throttleProgress(options.onProgress);
  const uidsInUse = await getUidsInUse(options.processes ?? null, store.root, store.context.homeBase, store.homeOwners);
  // Read once for every row (the store's context is worked out at each read).
  const context = { ...store.context, uidsInUse };
  for (const [index, row] of rows.entries()) {
    report('checking', index + 1, rows.length);
    try {
      // A home in the way would refuse the real import too: it is reported now.
      await tryCreate(store, trial, toNewAccount(row, withHomes), withHomes, context, rules);
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
  // Refused although every row passes on its own: the refusal as it was said.
  if (refusal && problems.length === 0) throw refusal;
  return { problems, created: await create(valid) };
}
