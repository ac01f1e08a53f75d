// The CSV import page: reads the file in the browser, guesses which field each column is,
// dry-runs the import and lists every row's problem, then imports with a progress bar fed
// by the push channel (topic import/<random id>).
import { callApi, notify } from '../api.ts';
import { registerChart } from '../stream/stream-actions.ts';
import type { StreamConnection } from '../stream/stream-socket.ts';
import { guessColumn } from './guess-column.ts';
import { t } from '../i18n.ts';

interface Problem {
  row: number;
  field: string;
  message: string;
}
interface Progress {
  phase: string;
  done: number;
  total: number;
}

// The import's phases in words (an unknown phase shows as the server names it).
const phaseLabels: Record<string, () => string> = {
  checking: () => t('import.phase.checking'),
  passwords: () => t('import.phase.passwords'),
  writing: () => t('import.phase.writing'),
  homes: () => t('import.phase.homes'),
};

// Starts the page (called when <body data-page="accounts-import">).
export function startImportPage(stream: StreamConnection | null): void {
  const fileInput = document.getElementById('import-file') as HTMLInputElement;
  const textInput = document.getElementById('import-text') as HTMLTextAreaElement;
  const mappingBody = document.getElementById('import-mapping')!;
  const checkButton = document.getElementById('import-check') as HTMLButtonElement;
  const runButton = document.getElementById('import-run') as HTMLButtonElement;
  const skipInvalid = document.getElementById('import-skip-invalid') as HTMLInputElement;
  const progressBar = document.getElementById('import-progress') as HTMLProgressElement;
  const summary = document.getElementById('import-summary')!;
  let checked: { problems: number } | null = null;

  // Progress of this page's imports only: the topic name is ours and random.
  const progressId = Array.from(crypto.getRandomValues(new Uint8Array(12)), (byte) =>
    byte.toString(16).padStart(2, '0'),
  ).join('');
  stream?.subscribe(`import/${progressId}`);
  registerChart('import-progress', (data) => {
    const { phase, done, total } = data as Progress;
    progressBar.max = Math.max(1, total);
    progressBar.value = done;
    const label = Object.hasOwn(phaseLabels, phase) ? phaseLabels[phase]!() : phase;
    document.getElementById('import-phase')!.textContent = t('import.progress', { phase: label, done, total });
  });

  const readHeader = () => {
    const firstLines = textInput.value.split(/\r?\n/, 2);
    const parse = (line = '') => line.split(',').map((cell) => cell.trim().replace(/^"|"$/g, ''));
    return { headers: parse(firstLines[0]), sample: parse(firstLines[1]) };
  };

  const showMapping = () => {
    checked = null;
    runButton.disabled = true;
    const { headers, sample } = readHeader();
    const choices = (document.getElementById('import-column-choices') as HTMLTemplateElement).content;
    mappingBody.replaceChildren(
      ...headers.filter(Boolean).map((header, index) => {
        const row = document.createElement('tr');
        const select = document.createElement('select');
        select.append(choices.cloneNode(true));
        select.value = guessColumn(header);
        select.dataset.header = header;
        select.setAttribute('aria-label', t('import.columnField', { header }));
        row.append(
          Object.assign(document.createElement('th'), { scope: 'row', textContent: header }),
          Object.assign(document.createElement('td'), { className: 'mono', textContent: sample[index] ?? '' }),
        );
        const cell = document.createElement('td');
        cell.append(select);
        row.append(cell);
        return row;
      }),
    );
    document.getElementById('import-mapping-card')!.hidden = headers.filter(Boolean).length === 0;
    document.getElementById('import-run-card')!.hidden = headers.filter(Boolean).length === 0;
  };

  fileInput.addEventListener('change', async () => {
    const file = fileInput.files?.[0];
    if (!file) return;
    textInput.value = await file.text();
    showMapping();
  });
  textInput.addEventListener('input', showMapping);
  mappingBody.addEventListener('change', () => {
    checked = null;
    runButton.disabled = true;
  });
  skipInvalid.addEventListener('change', () => {
    runButton.disabled = !checked || (checked.problems > 0 && !skipInvalid.checked);
  });

  const getBody = (dryRun: boolean) => ({
    csv: textInput.value,
    dryRun,
    skipInvalid: skipInvalid.checked,
    progress: progressId,
    createHomes: (document.getElementById('import-create-homes') as HTMLInputElement).checked,
    mapping: Object.fromEntries(
      [...mappingBody.querySelectorAll<HTMLSelectElement>('select')].map((select) => [
        select.dataset.header!,
        select.value,
      ]),
    ),
  });

  const showProblems = (problems: Problem[]) => {
    const table = document.getElementById('import-problems-table')!;
    table.hidden = problems.length === 0;
    document.getElementById('import-problems')!.replaceChildren(
      ...problems.map((problem) => {
        const row = document.createElement('tr');
        // The field's label, as the column picker shows it (the account schema's titles).
        const choices = (document.getElementById('import-column-choices') as HTMLTemplateElement).content;
        const label =
          [...choices.querySelectorAll('option')].find((option) => option.value === problem.field)?.textContent ??
          problem.field;
        for (const text of [String(problem.row), label, problem.message])
          row.append(Object.assign(document.createElement('td'), { textContent: text }));
        return row;
      }),
    );
  };

  checkButton.addEventListener('click', async () => {
    checkButton.disabled = true;
    summary.textContent = t('import.checking');
    try {
      const { problems } = await callApi<{ problems: Problem[] }>('POST', '/api/v1/accounts/import', getBody(true));
      const rows = Math.max(0, textInput.value.trim().split(/\r?\n/).length - 1);
      checked = { problems: problems.length };
      showProblems(problems);
      summary.textContent =
        problems.length === 0
          ? t('import.allValid', { count: rows })
          : t('import.someInvalid', { count: problems.length, rows });
      runButton.disabled = problems.length > 0 && !skipInvalid.checked;
    } catch (error) {
      summary.textContent = (error as Error).message;
    } finally {
      checkButton.disabled = false;
    }
  });

  runButton.addEventListener('click', async () => {
    runButton.disabled = true;
    checkButton.disabled = true;
    summary.textContent = t('import.importing');
    try {
      const { created, problems } = await callApi<{ created: string[]; problems: Problem[] }>(
        'POST',
        '/api/v1/accounts/import',
        getBody(false),
      );
      const imported = t('import.imported', { count: created.length });
      summary.textContent =
        problems.length > 0
          ? t('import.summarySkipped', { imported, skipped: t('import.skipped', { count: problems.length }) })
          : t('import.summary', { imported });
      notify(imported);
    } catch (error) {
      summary.textContent = (error as Error).message;
      runButton.disabled = false;
    } finally {
      checkButton.disabled = false;
    }
  });
}
