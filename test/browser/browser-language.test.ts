// @vitest-environment happy-dom
// The browser's words, dates and figures follow <html lang>: French pages get French words,
// French day names on the charts' time axis, sizes in Kio/Mio/Gio with a decimal comma.
import i18next from 'i18next';
import { afterEach, describe, expect, it } from 'vitest';
import en from '../../common/i18n/catalogues/en/browser.json' with { type: 'json' };
import fr from '../../common/i18n/catalogues/fr/browser.json' with { type: 'json' };
import { formatCount, getPageLocale, t } from '../../web/i18n.ts';
import { formatBytes, formatPercent, formatTick, formatTimeTick } from '../../web/status/format.ts';
import { formatBytes as formatBytesIn } from '../../common/format-bytes.ts';
import { ratePassword } from '../../web/accounts/password-strength.ts';

const GiB = 1024 ** 3;

// Every key of a catalogue with its text (plural forms under their base key).
function* walk(catalogue: object, prefix = ''): Generator<[string, string]> {
  for (const [name, value] of Object.entries(catalogue)) {
    if (typeof value === 'string') yield [`${prefix}${name}`.replace(/_(zero|one|two|few|many|other)$/, ''), value];
    else yield* walk(value as object, `${prefix}${name}.`);
  }
}

afterEach(() => {
  document.documentElement.lang = 'en';
});

describe("the page's language", () => {
  it('is <html lang>, English for a language Licorn does not speak', () => {
    document.documentElement.lang = 'fr-FR';
    expect(getPageLocale()).toBe('fr');
    document.documentElement.lang = 'de';
    expect(getPageLocale()).toBe('en');
    document.documentElement.lang = '';
    expect(getPageLocale()).toBe('en');
  });

  it('gives the words of the browser catalogue, with French plurals (0 and 1 are singular)', () => {
    document.documentElement.lang = 'fr';
    expect(t('stream.live')).toBe('En direct');
    expect(t('accounts.selected', { count: 0 })).toBe('0 sélectionné');
    expect(t('accounts.selected', { count: 2 })).toBe('2 sélectionnés');
    expect(t('accounts.selected', { count: 12_000 })).toBe('12\u202f000 sélectionnés');
    expect(t('chart.samplingStarted', { time: '09:12' })).toBe('début des mesures à 09:12');
    expect(ratePassword('Ab1', 'bob').label).toBe('Trop court\u00a0: au moins 8\u00a0caractères.');
    document.documentElement.lang = 'en';
    expect(t('accounts.selected', { count: 0 })).toBe('0 selected');
    expect(t('accounts.selected', { count: 1 })).toBe('1 selected');
    expect(t('events.held', { count: 1 })).toBe('1 new event held');
  });

  it('gives the same words again from what it made, by language and options', () => {
    document.documentElement.lang = 'fr';
    expect(t('status.loadMinutes', { minutes: '5' })).toBe(t('status.loadMinutes', { minutes: '5' }));
    const french = t('status.loadMinutes', { minutes: '5' });
    document.documentElement.lang = 'en';
    expect(t('status.loadMinutes', { minutes: '5' })).not.toBe(french);
    expect(t('status.loadMinutes', { minutes: '15' })).toContain('15');
    // A number and its text are not the same option (a count picks a plural).
    expect(t('accounts.selected', { count: 2 })).toBe('2 selected');
    expect(t('accounts.selected', { count: '2' })).toBe(t('accounts.selected', { count: '2' }));
    // Options that are not plain values are never taken from what was made.
    expect(t('chart.samplingStarted', { time: { toString: () => '09:12' } })).toContain('09:12');
  });

  it('writes every text of the browser catalogue with options as i18next does, first and later calls', () => {
    let checked = 0;
    for (const [locale, catalogue] of [
      ['en', en],
      ['fr', fr],
    ] as const) {
      document.documentElement.lang = locale;
      const fixed = i18next.createInstance();
      void fixed.init({
        resources: { [locale]: { browser: catalogue } },
        lng: locale,
        ns: ['browser'],
        defaultNS: 'browser',
        initAsync: false,
        interpolation: { escapeValue: false },
      });
      for (const [key, text] of walk(catalogue)) {
        const names = [...text.matchAll(/\{\{\s*([^{},\s]+)/g)].map((match) => match[1]!);
        if (names.length === 0) continue;
        for (let round = 0; round < 2; round += 1)
          for (const [index, value] of ['bob', '<b>"Ève" & \'Zoé\'</b>', '\u0001 0 \u0001 {{login}}', ''].entries()) {
            const options = Object.fromEntries(
              names.map((name) => [name, name === 'count' ? [0, 1, 2, 10_040][index] : `${value}${name}`]),
            );
            expect(t(key, options), `${locale} ${key} ${value}`).toBe(fixed.t(key, options));
            checked += 1;
          }
      }
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('writes counts, sizes and percents as French does', () => {
    document.documentElement.lang = 'fr';
    expect(formatCount(10_000)).toBe('10\u202f000');
    expect(formatBytes(16 * GiB)).toBe('16,0\u00a0Gio');
    expect(formatBytes(512 * 1024 ** 2)).toBe('512\u00a0Mio');
    expect(formatBytes(300)).toBe('300\u00a0o');
    expect(formatTick(5 * GiB, 'bytes')).toBe('5\u00a0Gio');
    expect(formatTick(2.5 * 1024, 'rate')).toBe('2,5\u00a0Kio/s');
    expect(formatPercent(4.25)).toBe('4,3\u00a0%');
    document.documentElement.lang = 'en';
    expect(formatBytes(16 * GiB)).toBe('16.0 GiB');
    expect(formatPercent(4.25)).toBe('4.3 %');
    // The pages' templates call it without a language: English, as before.
    expect(formatBytesIn(1536)).toBe('1.5 KiB');
    expect(formatBytesIn(1536, 'fr')).toBe('1,5\u00a0Kio');
  });

  it("names the day at midnight on the time axis in the page's language", () => {
    const midnight = new Date(2026, 10, 25, 0, 0);
    document.documentElement.lang = 'fr';
    expect(formatTimeTick(midnight)).toBe('mer. 25');
    expect(formatTimeTick(new Date(2026, 10, 25, 13, 5))).toBe('13:05');
    document.documentElement.lang = 'en';
    expect(formatTimeTick(midnight)).toBe('Wed 25');
  });
});
