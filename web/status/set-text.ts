// Writes a figure's text in place. Setting textContent replaces the element's text node by a
// new one (a child list change, which Chromium answers with a style recalculation of the
// element); changing the text node's data is a text change only (layout, no style).
// A tick rewrites some forty figures on the Status page.

// Shows `text` in `element`: its one text node's data is changed when it has one, otherwise
// its children are replaced by the text. Nothing is written when the text is the same.
export function setText(element: Element, text: string): void {
  const first = element.firstChild;
  if (first !== null && first === element.lastChild && first.nodeType === Node.TEXT_NODE) {
    const node = first as Text;
    if (node.data !== text) node.data = text;
  } else if (element.textContent !== text) element.textContent = text;
}
