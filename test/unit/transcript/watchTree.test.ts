import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeProblem, TreeWatcher, type TreeProblem } from '../../../src/core/transcript/watchTree';
import { tempDir } from '../../support/transcript';

const open: TreeWatcher[] = [];
afterEach(() => open.splice(0).forEach((w) => w.close()));

async function until(check: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function watcher(root: string): { files: string[]; problems: TreeProblem[]; tree: TreeWatcher } {
  const files: string[] = [];
  const problems: TreeProblem[] = [];
  const tree = new TreeWatcher(root, (p) => files.push(p), (p) => problems.push(p));
  open.push(tree);
  return { files, problems, tree };
}

describe('TreeWatcher', () => {
  it('sees a transcript written in a folder created after it started, and in a folder reached through a link', async () => {
    const root = tempDir();
    const elsewhere = tempDir();
    symlinkSync(elsewhere, join(root, '-linked-project'));
    const { files, problems, tree } = watcher(root);
    await tree.refresh();
    mkdirSync(join(root, '-new'));
    await new Promise((r) => setTimeout(r, 100));
    writeFileSync(join(root, '-new', 's.jsonl'), '{}\n');
    writeFileSync(join(elsewhere, 't.jsonl'), '{}\n');
    await until(() => files.includes(join(root, '-new', 's.jsonl')) && files.includes(join(root, '-linked-project', 't.jsonl')));
    expect(problems).toEqual([]);
  });

  it('reports a looping link once, however often it is refreshed', async () => {
    const root = tempDir();
    symlinkSync(join(root, 'b'), join(root, 'a'));
    symlinkSync(join(root, 'a'), join(root, 'b'));
    const { problems, tree } = watcher(root);
    await tree.refresh();
    await tree.refresh();
    expect(problems.map((p) => [p.path, p.code])).toEqual([
      [join(root, 'a'), 'ELOOP'],
      [join(root, 'b'), 'ELOOP'],
    ]);
  });

  // Permissions do not stop root, so this runs only as an ordinary user.
  it.skipIf(process.getuid?.() === 0)('reports an unreadable folder once and watches the others', async () => {
    const root = tempDir();
    mkdirSync(join(root, '-locked'));
    mkdirSync(join(root, '-open'));
    chmodSync(join(root, '-locked'), 0);
    const { files, problems, tree } = watcher(root);
    try {
      await tree.refresh();
      writeFileSync(join(root, '-open', 's.jsonl'), '{}\n');
      await until(() => files.length > 0);
      expect(problems.map((p) => p.code)).toEqual(['EACCES']);
    } finally {
      chmodSync(join(root, '-locked'), 0o755);
    }
  });

  it('says what to do for each kind of problem', () => {
    const err = (code: string) => Object.assign(new Error(code), { code });
    expect(describeProblem('/p/x', err('EACCES')).message).toBe('/p/x is skipped: permission denied; give your user read access (chmod u+rx) or move it out of the folder; refusals elsewhere are still noticed');
    expect(describeProblem('/p/y', err('ELOOP')).message).toContain('symbolic link that loops; remove or fix the link');
    expect(describeProblem('/p/z', err('ENOSPC')).message).toContain('raise fs.inotify.max_user_watches');
  });
});
