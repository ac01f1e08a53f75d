// Imported by main.ts before the daemon's modules load: glibc's mmap threshold set (mallopt)
// before the 2.8 MB daemon chunk is read and parsed, so that it and everything after are
// allocated under it (server/native/native.ts says why). Measured against the same threshold
// in the environment from the process's start, and the restart in place that set it
// (bench/README.md, sixteenth session): the same RSS after login, with 1,000 status followers
// and around a 10,000-row import (their reconnect storm's peak too spread out to tell apart);
// and no exec with its edges (secure execution, a launcher's argv[0], close-on-exec descriptors).
import { tuneMalloc } from './native/native.ts';

tuneMalloc();
