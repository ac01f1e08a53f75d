// 16.0 GiB, 512 MiB: binary units, as free(1) -h prints them. Pure, so that the pages'
// templates (server/web/plugins/views.ts) and the browser's charts (web/status/format.ts) write sizes alike.
export function formatBytes(value: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let unit = 0;
  let scaled = value;
  while (Math.abs(scaled) >= 1024 && unit < units.length - 1) {
    scaled /= 1024;
    unit += 1;
  }
  return `${scaled.toFixed(unit === 0 || scaled >= 100 ? 0 : 1)} ${units[unit]}`;
}
