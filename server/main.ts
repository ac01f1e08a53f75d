// licornd's entry: a few KiB that set glibc's malloc settings (malloc-start.ts) before the
// daemon's 2.8 MB bundle (daemon.ts, a chunk of its own) is read and parsed.
import './malloc-start.ts';

await import('./daemon.ts');
