// The top bar's "Menu" button: in a narrow window (where CSS shows the button) the main menu
// folds behind it, opens and closes with it, and closes with Escape. Without script, the
// button stays hidden and the links wrap.
export function startMenuToggle(): void {
  const bar = document.querySelector<HTMLElement>('.topbar');
  const toggle = document.getElementById('menu-toggle');
  const menu = document.getElementById('mainnav');
  if (!bar || !toggle || !menu) return;
  const setOpen = (open: boolean) => {
    bar.dataset.menu = open ? 'open' : 'closed';
    toggle.setAttribute('aria-expanded', String(open));
  };
  setOpen(false);
  toggle.addEventListener('click', () => setOpen(bar.dataset.menu !== 'open'));
  menu.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape' || bar.dataset.menu !== 'open') return;
    setOpen(false);
    toggle.focus();
  });
}
