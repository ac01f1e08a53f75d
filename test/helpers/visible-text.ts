import { Window } from 'happy-dom';

// What a person reads of a page: its text and its spoken attributes (title, placeholder,
// aria-label, alt), without what is marked translate="no" (logins, names, paths: data) and
// without scripts and styles. `withCoreTexts: false` leaves out too what the core writes
// (marked data-core-text: refusals, a deletion's summary), translated by the core's catalogue.
export function getVisibleText(html: string, options: { withCoreTexts?: boolean } = {}): string {
  const window = new Window();
  try {
    const { document } = window;
    document.write(html);
    const left =
      options.withCoreTexts === false
        ? '[translate="no"], [data-core-text], script, style'
        : '[translate="no"], script, style';
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
