/** Where Claude Code keeps its session transcripts, and a listing of them. */
import { existsSync, statSync } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** The Claude Code config dir: $CLAUDE_CONFIG_DIR, else ~/.claude. */
export function claudeConfigDir(): string {
  return process.env.CLAUDE_CONFIG_DIR || join(homedir(), '.claude');
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The projects dir for a config dir (default $CLAUDE_CONFIG_DIR or ~/.claude): `<dir>/projects`. A dir given
 * explicitly that has no projects/ is taken as holding transcripts itself (a copied folder, a test fixture).
 * Called once at start-up, so the sync stat is fine here.
 */
export function resolveProjectsDir(claudeDir?: string): string {
  const base = resolve(claudeDir ?? claudeConfigDir());
  const projects = join(base, 'projects');
  if (isDir(projects)) return projects;
  if (claudeDir !== undefined && isDir(base)) return base;
  return projects;
}

/** A message for a projects dir that does not exist, saying what to do. */
export function missingProjectsMessage(projectsDir: string): string | undefined {
  if (existsSync(projectsDir)) return undefined;
  return `no Claude Code transcripts at ${projectsDir}: pass --claude-dir DIR (the Claude Code config dir holding projects/, or a folder of .jsonl transcripts) or set CLAUDE_CONFIG_DIR`;
}

export interface TranscriptInfo {
  path: string;
  size: number;
  mtimeMs: number;
}

/**
 * Every *.jsonl under `dir`, sub-folders included (sub-agent transcripts), in a stable order. Symlinked folders are
 * followed once (by real path, so a link back up the tree ends there); a folder that cannot be read or a link that
 * loops is passed to `onProblem` and skipped.
 */
export async function* listTranscripts(dir: string, onProblem?: (path: string, error: unknown) => void, seen = new Set<string>()): AsyncIterable<TranscriptInfo> {
  let names;
  try {
    const real = await realpath(dir);
    if (seen.has(real)) return;
    seen.add(real);
    names = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    // The projects dir itself may not exist yet (Claude Code never ran): not a problem to report.
    if (seen.size > 0 || (error as NodeJS.ErrnoException).code !== 'ENOENT') onProblem?.(dir, error);
    return;
  }
  names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const dirent of names) {
    const path = join(dir, dirent.name);
    if (dirent.isDirectory()) {
      yield* listTranscripts(path, onProblem, seen);
    } else if ((dirent.isFile() && dirent.name.endsWith('.jsonl')) || dirent.isSymbolicLink()) {
      let info;
      try {
        info = await stat(path);
      } catch (error) {
        // Deleted between listing and stat: nothing to scan. A link that loops is worth saying.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') onProblem?.(path, error);
        continue;
      }
      if (info.isFile() && dirent.name.endsWith('.jsonl')) yield { path, size: info.size, mtimeMs: info.mtimeMs };
      else if (info.isDirectory() && dirent.isSymbolicLink()) yield* listTranscripts(path, onProblem, seen);
    }
  }
}
