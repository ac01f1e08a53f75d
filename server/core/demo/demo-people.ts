// The people and groups of the demo sandbox: a small organisation as a Licorn site had.

// A demo person: full name, and the standard groups they belong to with their role.
export interface DemoPerson {
  fullName: string;
  groups: Record<string, 'member' | 'responsible' | 'guest'>;
  admin?: boolean;
  locked?: boolean;
  expired?: boolean;
}

// Standard groups, each with a shared directory and rsp-/gst- helper groups.
export const demoGroups: { name: string; permissive?: boolean }[] = [
  { name: 'direction' },
  { name: 'accounting' },
  { name: 'developers', permissive: true },
  { name: 'support' },
  { name: 'marketing' },
  { name: 'teachers' },
  { name: 'students' },
];

export const demoPeople: DemoPerson[] = [
  { fullName: 'Amélie Durand', groups: { direction: 'responsible' }, admin: true },
  { fullName: 'Bruno Lefèvre', groups: { developers: 'responsible', direction: 'member' }, admin: true },
  { fullName: 'Chloé Martin', groups: { accounting: 'responsible' } },
  { fullName: 'David Nguyen', groups: { developers: 'member' } },
  { fullName: 'Émilie Bernard', groups: { marketing: 'responsible' } },
  { fullName: 'Farid Haddad', groups: { support: 'member' } },
  { fullName: 'Gabrielle Moreau', groups: { accounting: 'member' } },
  { fullName: 'Hugo Petit', groups: { developers: 'member', support: 'guest' } },
  { fullName: 'Inès Roux', groups: { marketing: 'member' } },
  { fullName: 'Julien Fournier', groups: { support: 'responsible' } },
  { fullName: 'Karima Benali', groups: { teachers: 'responsible' } },
  { fullName: 'Louis Girard', groups: { teachers: 'member', students: 'responsible' } },
  { fullName: 'Manon Bonnet', groups: { students: 'member' } },
  { fullName: 'Nicolas Dupont', groups: { developers: 'member' }, locked: true },
  { fullName: 'Océane Lambert', groups: { marketing: 'member' } },
  { fullName: 'Pierre Fontaine', groups: { accounting: 'member', direction: 'guest' } },
  { fullName: 'Quentin Rousseau', groups: { students: 'member' }, expired: true },
  { fullName: 'Rachida Mercier', groups: { support: 'member' } },
  { fullName: 'Sébastien Blanc', groups: { developers: 'member' } },
  { fullName: 'Thi Minh Tran', groups: { developers: 'member', teachers: 'guest' } },
  { fullName: 'Ulrich Weber', groups: { support: 'member' } },
  { fullName: 'Valérie Garnier', groups: { direction: 'member', accounting: 'guest' } },
  { fullName: 'William Chevalier', groups: { marketing: 'guest' } },
  { fullName: 'Xavier François', groups: { teachers: 'member' } },
  { fullName: 'Yasmine Legrand', groups: { students: 'member' } },
  { fullName: 'Zoé Gauthier', groups: { students: 'member' } },
  { fullName: 'Antoine Perrin', groups: { developers: 'member' } },
  { fullName: 'Bérénice Robin', groups: { support: 'member' } },
  { fullName: 'Cédric Clément', groups: { accounting: 'member' } },
  { fullName: 'Diane Morin', groups: { marketing: 'member' } },
  { fullName: 'Étienne Nicolas', groups: { teachers: 'member' } },
  { fullName: 'Fatou Diallo', groups: { students: 'member' } },
  { fullName: 'Guillaume Henry', groups: { developers: 'guest' } },
  { fullName: 'Hélène Roussel', groups: { direction: 'member' }, admin: true },
  { fullName: 'Ibrahim Keita', groups: { support: 'member' } },
  { fullName: 'Jeanne Mathieu', groups: { students: 'member' }, locked: true },
  { fullName: 'Kevin Masson', groups: { developers: 'member' } },
  { fullName: 'Laura Marchand', groups: { marketing: 'member' } },
  { fullName: 'Mathis Duval', groups: { students: 'member' } },
];

// A login from a full name: initial and last name, accents dropped (Amélie Durand → adurand).
export function createLoginFromName(fullName: string): string {
  const ascii = fullName
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
  const words = ascii.split(/\s+/).filter(Boolean);
  return ((words[0]?.[0] ?? '') + (words.at(-1) ?? '')).replace(/[^a-z0-9]/g, '');
}
