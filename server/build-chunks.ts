// The chunks of a split bundle outlive the build that wrote them: a licornd started from one
// build imports its lazy chunks (the terminal's) only when first used, by the hashed names that
// build gave them, so a rebuild (an upgrade, `npm run build` in a checkout a daemon runs from,
// the tests' and benches' own builds) that removed them made every new terminal a 500 until
// the daemon restarted. Names are content hashes: a chunk that did not change keeps its name
// and its file, a changed one is written beside the old. Only the chunks that none of the last
// `keptBuilds` builds wrote are removed, so the folder stays small and a daemon keeps working
// through that many rebuilds. (Importing the chunks at start instead costs every daemon the
// memory the split saves: +9 MiB RSS for the terminal's, measured.)
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

// How many builds' chunks a bundle's chunks folder keeps.
export const keptBuilds = 5;

// The list of the last builds' chunks, newest first, kept in the chunks folder itself.
export const buildsFile = 'builds.json';

// Reads the builds list; an absent or unreadable one is no builds (the chunks of a build made
// before this list existed go at the next build, as they always did).
async function readBuilds(chunksDir: string): Promise<string[][]> {
  try {
    const parsed: unknown = JSON.parse(await readFile(join(chunksDir, buildsFile), 'utf8'));
    if (Array.isArray(parsed) && parsed.every((build) => Array.isArray(build))) return parsed as string[][];
  } catch {
    // No list yet, or a broken one: nothing is known to be in use.
  }
  return [];
}

// Records the chunks this build wrote (`outputs`: the esbuild metafile's output paths, relative
// to the working directory) in `chunksDir`'s list and removes every file there that none of the
// last keptBuilds builds wrote, but those named in `keep` (a manifest replaced after).
export async function pruneChunks(
  chunksDir: string,
  outputs: readonly string[],
  keep: readonly string[] = [],
): Promise<void> {
  const directory = resolve(chunksDir);
  const written = outputs.filter((file) => dirname(resolve(file)) === directory).map((file) => basename(file));
  const earlier = await readBuilds(directory);
  // A build that wrote the same files as the newest recorded one is not another build: five
  // repeats of one build would otherwise push out the files a running daemon still names.
  const same = earlier[0] !== undefined && [...earlier[0]].sort().join('\n') === [...written].sort().join('\n');
  const builds = same ? earlier : [written, ...earlier].slice(0, keptBuilds);
  const kept = new Set([buildsFile, ...keep, ...builds.flat()]);
  const present = await readdir(directory).catch(() => [] as string[]);
  for (const name of present) {
    if (!kept.has(name)) await rm(join(directory, name), { force: true, recursive: true });
  }
  await mkdir(directory, { recursive: true });
  await writeFile(join(directory, buildsFile), `${JSON.stringify(builds)}\n`);
}
