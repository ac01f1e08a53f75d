// Header names people use, by field (lowercase, without accents or spaces).
const aliases: Record<string, string[]> = {
  login: ['login', 'username', 'user', 'uid_name', 'identifiant', 'compte'],
  fullName: ['fullname', 'name', 'gecos', 'nom', 'nomcomplet', 'displayname'],
  uid: ['uid', 'id', 'uidnumber'],
  primaryGroup: ['primarygroup', 'group', 'gid', 'groupe'],
  groups: ['groups', 'groupes', 'memberof'],
  home: ['home', 'homedirectory', 'directory'],
  shell: ['shell', 'loginshell'],
  password: ['password', 'motdepasse', 'pass'],
};

// The field a header most likely names, or "ignore".
export function guessColumn(header: string): string {
  const key = header
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z_]/g, '');
  return Object.entries(aliases).find(([, names]) => names.includes(key))?.[0] ?? 'ignore';
}
