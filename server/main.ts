// licornd's entry: a few KiB that restart the process with glibc's malloc settings in its
// environment when its launcher did not set them (malloc-start.ts), before the daemon's
// 2.8 MB bundle (daemon.ts, a chunk of its own) is parsed: a restart then costs little more
// than Node's own start.
import './malloc-start.ts';

await import('./daemon.ts');
