import { describe, expect, it } from 'vitest';
import { getFieldLabel, getFieldLabels, getFieldTitles } from '../../server/core/field-labels.ts';
import { csvColumns } from '../../server/core/accounts/account-csv.ts';

describe('the field labels', () => {
  it("are the schemas' titles in English, so that the description stays the one source", () => {
    for (const resource of ['account', 'group', 'volume'] as const) {
      const titles = Object.entries(getFieldTitles(resource));
      expect(titles.length).toBeGreaterThan(10);
      for (const [field, title] of titles) expect(getFieldLabel(resource, field, 'en'), field).toBe(title);
    }
  });

  it('are said in French for the CSV column picker, never as field names', () => {
    const labels = getFieldLabels('account', csvColumns, 'fr');
    expect(labels).toMatchObject({ login: 'Identifiant', fullName: 'Nom complet', primaryGroup: 'Groupe principal' });
    for (const column of csvColumns) expect(labels[column], column).not.toBe(column);
    expect(getFieldLabel('account', 'notAField', 'fr')).toBe('notAField');
  });
});
