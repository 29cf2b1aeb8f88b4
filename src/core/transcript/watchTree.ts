/**
 * Watch a folder tree for changed *.jsonl files, one fs.watch per folder. Node's own `recursive: true` gives up on
 * the whole tree, silently, when one folder is unreadable or a symlink loops (ELOOP): here such a folder is reported
 * once, with what to do, and every other folder stays watched. Symlinked folders are followed once each (by real
 * path), so a link back up the tree is not a loop.
 */
import { watch, type FSWatcher } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface TreeProblem {
  path: string;
  code: string;
  message: string;
}

/** What to tell a person about a folder the watcher or the scanner could not read. */
export function describeProblem(path: string, error: unknown): TreeProblem {
  const code = (error as NodeJS.ErrnoException)?.code ?? 'ERROR';
  const why = error instanceof Error ? error.message : String(error);
  let advice: string;
  if (code === 'ELOOP') advice = 'it is a symbolic link that loops; remove or fix the link';
  else if (code === 'EACCES' || code === 'EPERM') advice = 'permission denied; give your user read access (chmod u+rx) or move it out of the folder';
  else if (code === 'ENOSPC' || code === 'EMFILE') advice = 'the system limit on watched folders is reached; raise fs.inotify.max_user_watches';
  else advice = why;
  return { path, code, message: `${path} is skipped: ${advice}; refusals elsewhere are still noticed` };
}

export class TreeWatcher {
  private readonly watchers = new Map<string, FSWatcher>();
  /** Real paths already watched: a symlink to one of them is not watched twice (nor forever). */
  private readonly real = new Map<string, string>();
  private readonly reported = new Set<string>();
  private closed = false;

  constructor(
    readonly root: string,
    private readonly onFile: (path: string) => void,
    private readonly onProblem: (problem: TreeProblem) => void,
  ) {}

  /** Whether the root itself is watched (false until it exists). */
  get watching(): boolean {
    return this.watchers.has(this.root);
  }

  /** Watch the root and every folder below it; call again to pick up folders created since (cheap when unchanged). */
  async refresh(): Promise<void> {
    await this.add(this.root, true);
  }

  close(): void {
    this.closed = true;
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    this.real.clear();
  }

  private problem(path: string, error: unknown): void {
    const problem = describeProblem(path, error);
    const key = `${problem.code}:${path}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.onProblem(problem);
  }

  /** `announce`: a folder that appeared while watching, whose transcripts are new. */
  private async add(dir: string, isRoot = false, announce = false): Promise<void> {
    if (this.closed) return;
    let resolved: string;
    try {
      resolved = await realpath(dir);
    } catch (error) {
      // A root that does not exist yet is normal (Claude Code never ran): the caller's poll tries again.
      if (!(isRoot && (error as NodeJS.ErrnoException).code === 'ENOENT')) this.problem(dir, error);
      return;
    }
    const owner = this.real.get(resolved);
    if (owner !== undefined && owner !== dir) return; // reached again through a link: already watched
    if (!this.watchers.has(dir)) {
      try {
        const watcher = watch(dir, { persistent: false }, (_event, name) => this.event(dir, name === null ? undefined : String(name)));
        watcher.on('error', () => this.drop(dir));
        this.watchers.set(dir, watcher);
        this.real.set(resolved, dir);
      } catch (error) {
        if (!(isRoot && (error as NodeJS.ErrnoException).code === 'ENOENT')) this.problem(dir, error);
        return;
      }
    }
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      this.problem(dir, error);
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await this.add(path, false, announce);
      else if (announce && entry.name.endsWith('.jsonl')) this.onFile(path);
      else if (entry.isSymbolicLink() && !entry.name.endsWith('.jsonl')) {
        try {
          if ((await stat(path)).isDirectory()) await this.add(path, false, announce);
        } catch (error) {
          this.problem(path, error);
        }
      }
    }
  }

  private drop(dir: string): void {
    this.watchers.get(dir)?.close();
    this.watchers.delete(dir);
    for (const [real, owner] of this.real) if (owner === dir) this.real.delete(real);
  }

  private event(dir: string, name: string | undefined): void {
    if (this.closed) return;
    if (name === undefined) return;
    const path = join(dir, name);
    if (name.endsWith('.jsonl')) {
      this.onFile(path);
      return;
    }
    // A new folder (a new project, a sub-agent folder): watch it and what is already in it.
    if (!this.watchers.has(path)) {
      void stat(path).then(
        (info) => (info.isDirectory() ? this.add(path, false, true) : undefined),
        () => this.drop(path),
      );
    }
  }
}
