// A "who?" field that suggests accounts as one types (a group's "add someone"): asks the
// core's index (/api/v1/accounts/-/suggestions) once typing pauses, shows login and full
// name in a listbox under the field (ARIA combobox: arrows, Enter, Escape, or a click).
import { callApi } from '../api.ts';

type Suggestion = { login: string; fullName: string };

// How long typing must pause before the server is asked: one request per word, not per key.
const debounceMs = 150;
// How many suggestions are shown.
const shown = 8;

// Turns `input` into a combobox over `list` (an empty <ul role="listbox">).
export function startAccountPicker(input: HTMLInputElement, list: HTMLElement): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let asked = 0;
  let active = -1;
  let options: Suggestion[] = [];

  const close = () => {
    list.hidden = true;
    list.replaceChildren();
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
    options = [];
  };
  const highlight = (index: number) => {
    active = index;
    list.querySelectorAll<HTMLElement>('[role="option"]').forEach((item, position) => {
      item.setAttribute('aria-selected', String(position === index));
      if (position === index) {
        input.setAttribute('aria-activedescendant', item.id);
        item.scrollIntoView({ block: 'nearest' });
      }
    });
  };
  const choose = (index: number) => {
    const picked = options[index];
    if (!picked) return;
    input.value = picked.login;
    close();
    input.focus();
  };
  const show = (suggestions: Suggestion[]) => {
    options = suggestions;
    list.replaceChildren(
      ...suggestions.map((suggestion, index) => {
        const item = document.createElement('li');
        item.id = `${list.id}-${index}`;
        item.setAttribute('role', 'option');
        item.setAttribute('aria-selected', 'false');
        item.dataset.login = suggestion.login;
        const login = Object.assign(document.createElement('span'), {
          className: 'mono',
          textContent: suggestion.login,
        });
        const name = Object.assign(document.createElement('span'), {
          className: 'muted',
          textContent: suggestion.fullName,
        });
        item.append(login, ' ', name);
        // mousedown, not click: the field's blur would close the list before the click lands.
        item.addEventListener('mousedown', (event) => {
          event.preventDefault();
          choose(index);
        });
        return item;
      }),
    );
    list.hidden = suggestions.length === 0;
    input.setAttribute('aria-expanded', String(suggestions.length > 0));
    active = -1;
  };

  const ask = async (text: string) => {
    const ticket = ++asked;
    try {
      const answer = await callApi<{ suggestions: Suggestion[] }>(
        'GET',
        `/api/v1/accounts/-/suggestions?q=${encodeURIComponent(text)}&limit=${shown}`,
      );
      // An older answer arriving after a newer question is dropped.
      if (ticket === asked && input.value.trim() === text) show(answer.suggestions);
    } catch {
      if (ticket === asked) close();
    }
  };

  input.addEventListener('input', () => {
    clearTimeout(timer);
    const text = input.value.trim().slice(0, 64);
    if (text === '') {
      asked += 1;
      close();
      return;
    }
    timer = setTimeout(() => void ask(text), debounceMs);
  });
  input.addEventListener('keydown', (event) => {
    if (list.hidden) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      highlight((active + step + options.length) % options.length);
    } else if (event.key === 'Enter' && active >= 0) {
      event.preventDefault();
      choose(active);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      close();
    }
  });
  input.addEventListener('blur', () => close());
  input.form?.addEventListener('reset', () => close());
}
