// The volumes page: Mount, Unmount and Eject each ask first, saying what will happen (the
// sentence comes with the row, from the server); a refused unmount shows the processes that
// hold the mount, and "Force unmount" is a second, separately confirmed action. Rows are
// never patched from the answers: the `volumes` topic brings the new state, as it does for a
// `mount` typed in a shell.
import $ from 'jquery';
import { ApiError, callApi, notify } from '../api.ts';
import { t } from '../i18n.ts';

// A process holding a mount, as a refused unmount lists it (the core's VolumeHolder).
interface Holder {
  pid: number;
  command: string;
  login: string;
}

type Step = { kind: 'action'; action: string } | { kind: 'force' };

// Starts the page (called when <body data-page="volumes">).
export function startVolumesPage(): void {
  const dialog = document.getElementById('volume-confirm') as HTMLDialogElement;
  const $dialog = $(dialog);
  const $text = $('#volume-confirm-text');
  const $holders = $('#volume-holders');
  const $error = $('#volume-confirm-error');
  const $force = $('#volume-force');
  const $submit = $('#volume-confirm-submit');
  let volume = '';
  let step: Step | null = null;
  let forceConfirm = '';

  const url = (name: string, action = '') => `/api/v1/volumes/${encodeURIComponent(name)}${action ? `/${action}` : ''}`;
  const showHolders = (holders: Holder[]) => {
    $('#volume-holder-list')
      .empty()
      .append(holders.map((holder) => $('<li>').text(t('volumes.holder', { ...holder }))));
    $holders.prop('hidden', holders.length === 0);
  };
  const open = (name: string, next: Step, text: string, confirmLabel: string) => {
    volume = name;
    step = next;
    $text.text(text);
    $error.text('');
    $force.prop('hidden', true);
    if (next.kind !== 'force') showHolders([]);
    $submit
      .text(confirmLabel)
      .prop('disabled', false)
      .toggleClass('button-danger', next.kind !== 'action' || next.action !== 'mount');
    if (!dialog.open) dialog.showModal();
  };

  $('#volume-rows').on('click', 'button[data-volume-action]', (event) => {
    const $button = $(event.currentTarget);
    const $row = $button.closest('tr');
    const action = String($button.attr('data-volume-action'));
    forceConfirm = String($row.attr('data-force-confirm') ?? '');
    open(
      String($row.attr('data-volume')),
      { kind: 'action', action },
      String($button.attr('data-confirm')),
      $button.text(),
    );
  });

  $force.on('click', () => open(volume, { kind: 'force' }, forceConfirm, t('volumes.force')));

  $dialog.on('click', '[data-close-dialog]', () => dialog.close());
  $dialog.on('submit', 'form', async (event) => {
    event.preventDefault();
    if (!step) return;
    const current = step;
    $submit.prop('disabled', true);
    try {
      if (current.kind === 'force') await callApi('POST', url(volume, 'unmount'), { force: true });
      else await callApi('POST', url(volume, current.action), {});
      dialog.close();
      notify(t('volumes.done', { action: current.kind === 'force' ? t('volumes.force') : $submit.text(), volume }));
    } catch (error) {
      $submit.prop('disabled', false);
      $error.text((error as Error).message);
      const holders = error instanceof ApiError ? (error.details?.holders as Holder[] | undefined) : undefined;
      // Force is offered whenever an unmount is refused as in use, even when no holder was
      // found (the kernel says busy: another namespace, a btrfs subvolume): the error says why.
      const isUnmount = current.kind === 'action' && current.action === 'unmount';
      if (holders && (holders.length > 0 || isUnmount)) {
        showHolders(holders);
        $force.prop('hidden', false);
        $submit.prop('disabled', true);
      }
    }
  });

  // Licorn's "reserved" marker, saved as soon as it is ticked; the push brings the row back.
  $('#volume-rows').on('change', 'input[data-volume-reserved]', async (event) => {
    const box = event.currentTarget as HTMLInputElement;
    const name = String($(box).closest('tr').attr('data-volume'));
    try {
      await callApi('PATCH', url(name), { reserved: box.checked });
    } catch (error) {
      box.checked = !box.checked;
      notify((error as Error).message, 'error');
    }
  });
}
