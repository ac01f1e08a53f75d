// Moves an element from one CSS transform to another over `durationMs`, linearly, with the Web
// Animations API: the browser runs it with no script per frame. (d3 transitions wrote each
// chart's transforms from script every frame: a tenth of a core on the Status page, and
// garbage that made the redraws pause for the collector.)
const running = new WeakMap<Element, Animation>();

export function animateTransform(element: SVGElement, from: string, to: string, durationMs: number): void {
  // Not element.getAnimations(): it brings the page's style up to date first, a forced style
  // pass in the middle of the redraw.
  running.get(element)?.cancel();
  running.delete(element);
  element.style.transform = to;
  if (durationMs > 0 && from !== to)
    running.set(
      element,
      element.animate([{ transform: from }, { transform: to }], { duration: durationMs, easing: 'linear' }),
    );
}
