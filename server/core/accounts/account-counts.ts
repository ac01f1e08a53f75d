// How many standard and system accounts and groups there are.
export interface AccountCounts {
  accounts: number;
  systemAccounts: number;
  groups: number;
  systemGroups: number;
}
