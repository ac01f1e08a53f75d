// The share's repair on a standard group's page: a progress bar and Cancel while it runs
// (a permissive switch, a repair asked here or elsewhere, one resumed at start), followed on
// `group-share/<name>`, and the button that asks for one.
import { callApi } from '../api.ts';
import { showSaveState } from '../save-state.ts';
import { registerChart } from '../stream/stream-actions.ts';
import { t } from '../i18n.ts';

interface ShareRepairSample {
  name: string;
  scanned: number;
  fixed: number;
  running: boolean;
  done: boolean;
  cancelled: boolean;
}

// Starts the share's part of the page (absent for a group without a share).
export function startGroupShare(root: HTMLElement, url: string): void {
  const section = document.getElementById('group-share');
  if (!section) return;
  const running = document.getElementById('group-share-running')!;
  const phase = document.getElementById('group-share-phase')!;
  const repairButton = document.getElementById('group-share-repair') as HTMLButtonElement;
  const cancelButton = document.getElementById('group-share-cancel') as HTMLButtonElement;
  const repairUrl = `${url}/share/repair`;

  const ask = async (method: 'POST' | 'DELETE') => {
    showSaveState(root, 'share', 'saving');
    try {
      await callApi(method, repairUrl, method === 'POST' ? {} : undefined);
      showSaveState(root, 'share', 'saved');
    } catch (error) {
      showSaveState(root, 'share', 'error', (error as Error).message);
    }
  };
  repairButton.addEventListener('click', () => void ask('POST'));
  cancelButton.addEventListener('click', () => void ask('DELETE'));

  registerChart('group-share', (data) => {
    const repair = data as ShareRepairSample;
    running.hidden = !repair.running;
    repairButton.disabled = repair.running;
    const counts = t('share.counts', {
      seen: t('share.seen', { count: repair.scanned }),
      fixed: t('share.fixed', { count: repair.fixed }),
    });
    if (repair.running) phase.textContent = t('share.repairing', { counts });
    else if (repair.done) phase.textContent = t('share.repaired', { counts });
    else if (repair.cancelled) phase.textContent = t('share.cancelled', { counts });
  });
}
