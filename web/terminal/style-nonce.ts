// xterm.js draws through <style> elements it creates; the page's CSP allows them only with
// the nonce of this answer (server/web/routes/terminal.ts). Every <style> the page creates
// from here on carries it: nothing else on this page creates one.
export function applyStyleNonce(): void {
  const nonce = document.querySelector<HTMLMetaElement>('meta[name="style-nonce"]')?.content ?? '';
  const create = document.createElement.bind(document) as (
    tag: string,
    options?: ElementCreationOptions,
  ) => HTMLElement;
  document.createElement = ((tag: string, options?: ElementCreationOptions) => {
    const element = create(tag, options);
    if (tag.toLowerCase() === 'style') element.nonce = nonce;
    return element;
  }) as typeof document.createElement;
}
