import { Window } from 'happy-dom';

// What a person reads of a page: its text and its spoken attributes (title, placeholder,
// aria-label, alt), without what is marked translate="no" (logins, names, paths: data) and
// without scripts and styles. The core's sentences are in: they are said in the page's language.
export function getVisibleText(html: string): string {
  const window = new Window();
  try {
    const { document } = window;
    document.write(html);
    const left = '[translate="no"], script, style';
    for (const element of document.querySelectorAll(left)) element.remove();
    const parts = [document.title, document.body.textContent ?? ''];
    for (const element of document.querySelectorAll('[title], [placeholder], [aria-label], [alt]')) {
      for (const name of ['title', 'placeholder', 'aria-label', 'alt']) {
        const value = element.getAttribute(name);
        if (value) parts.push(value);
      }
    }
    for (const template of document.querySelectorAll('template'))
      parts.push(template.innerHTML.replace(/<[^>]*>/g, ' '));
    return parts.join('\n');
  } finally {
    void window.happyDOM.close();
  }
}
