// A box around a block of texts that change every tick (a chart's legend, the daemon's
// figures, the Status page's "last sample" line), held at its contents' height with size and
// layout containment: Chromium then lays out a changed text inside it only. Without it, any
// text that changed in the flow laid out the whole document from its root, 0.4 ms a tick for
// the first and 0.8 ms of the Status page's 1.1 ms of layout for its forty (bench/README.md,
// fourteenth session). The height follows the contents through a ResizeObserver, whose
// callbacks run after layout and before paint: a box whose contents wrap on another number
// of lines (a longer figure, a narrower window) is drawn at its new height in the same frame.
// The enclosing chart's own observer (shallower) then hears of its new height a frame later,
// and Chromium fires its "ResizeObserver loop completed with undelivered notifications" error
// event on window: harmless, nothing listens to it.

// The contents' height with their margins, which stay inside the box (it is a formatting
// context of its own once contained, so they no longer collapse through it).
function fit(contents: HTMLElement, height: number): void {
  const box = contents.parentElement;
  if (!box) return;
  const style = getComputedStyle(contents);
  const total = `${height + Number.parseFloat(style.marginTop) + Number.parseFloat(style.marginBottom)}px`;
  if (box.style.height !== total) box.style.height = total;
  // Contained only once it has a height: until then (or without script) it is a plain block.
  box.classList.add('is-fitted');
}

const observer = new ResizeObserver((entries) => {
  for (const entry of entries) fit(entry.target as HTMLElement, entry.borderBoxSize[0]!.blockSize);
});

// Puts `contents` (a block) in a fitted box, in its place when it has one; returns the box.
export function wrapInFittedBox(contents: HTMLElement): HTMLElement {
  const box = document.createElement('div');
  box.className = 'fitted-box';
  contents.replaceWith(box);
  box.append(contents);
  observer.observe(contents);
  return box;
}
