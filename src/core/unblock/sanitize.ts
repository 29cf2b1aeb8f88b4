/**
 * Sanitized copies of files: written BESIDE the original as `<name>.sanitized<ext>`, never over it. Replacing the
 * original is only done when asked, after a byte-for-byte backup `<name><ext>.orig` (an existing backup is never
 * overwritten). For a file Claude Code read, the removals are in the Read tool's line-numbered output; they are
 * mapped back onto the file on disk line by line, and only when the file still holds what Claude Code was shown.
 */
import { copyFile, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';

export function sanitizedPath(file: string): string {
  const ext = extname(file);
  return join(dirname(file), `${basename(file, ext)}.sanitized${ext}`);
}

export function backupPath(file: string): string {
  return `${file}.orig`;
}

/**
 * Writes the sanitized content beside `file`, or over it when `replace` (the original is first copied to
 * `<file>.orig`, which must not exist yet). Returns the paths written.
 */
export async function writeSanitized(file: string, content: string | Uint8Array, replace = false): Promise<{ path: string; backup?: string }> {
  if (replace) {
    const backup = backupPath(file);
    try {
      await copyFile(file, backup, 1 /* COPYFILE_EXCL: never over an older backup */);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new Error(code === 'EEXIST' ? `${backup} already exists: move it away first (it may be the only copy of an earlier original)` : `cannot back up ${file}: ${(error as Error).message}`);
    }
    await writeFile(file, content);
    return { path: file, backup };
  }
  const path = sanitizedPath(file);
  await writeFile(path, content);
  return { path };
}

/**
 * The file as Claude Code's Read showed it, with the removed characters of that output taken out (or each removal
 * replaced by `mask`): `removed` are [start, end) offsets in the tool result text ("1\tline one\n2\tline two" in
 * 2.1.x, "     1→line" before). Line numbers and tabs are not in the file; a removal across a line break takes the
 * newline with it. Undefined when a line the Read showed no longer matches the file (it was edited, or the Read
 * truncated it).
 */
export function sanitizeReadFile(fileText: string, toolResult: string, removed: ReadonlyArray<readonly [number, number]>, mask = ''): string | undefined {
  const map = readOffsetMap(fileText, toolResult);
  if (!map) return undefined;
  // Each removal as one range of the file (what lies between its first and last character there).
  const ranges: Array<[number, number]> = [];
  for (const [s, e] of removed) {
    let a = Number.POSITIVE_INFINITY;
    let b = -1;
    for (let k = Math.max(0, s); k < Math.min(e, toolResult.length); k++) {
      if (map[k]! < 0) continue;
      a = Math.min(a, map[k]!);
      b = Math.max(b, map[k]! + 1);
    }
    if (b > a) ranges.push([a, b]);
  }
  ranges.sort((x, y) => x[0] - y[0]);
  let out = '';
  let pos = 0;
  for (const [a, b] of ranges) {
    if (a < pos) {
      pos = Math.max(pos, b);
      continue;
    }
    out += fileText.slice(pos, a) + mask;
    pos = b;
  }
  return out + fileText.slice(pos);
}

/**
 * Where each character of Claude Code's Read output sits in the file: the file offset per tool result offset (-1 for
 * a line number, its separator, or a line that is not the file's, like a trailing reminder). Undefined when a line the
 * Read showed no longer matches the file, or no line matched at all.
 */
export function readOffsetMap(fileText: string, toolResult: string): Int32Array | undefined {
  const fileLines: Array<{ start: number; text: string }> = [];
  for (let at = 0; at <= fileText.length; ) {
    const nl = fileText.indexOf('\n', at);
    const end = nl < 0 ? fileText.length : nl;
    fileLines.push({ start: at, text: fileText.slice(at, end) });
    if (nl < 0) break;
    at = nl + 1;
  }
  // Offset in the tool result -> offset in the file (-1: a line number or separator, not in the file).
  const map = new Int32Array(toolResult.length).fill(-1);
  const line = /^ *(\d+)(?:\t|\u2192)/;
  let matched = 0;
  for (let at = 0; at < toolResult.length; ) {
    const nl = toolResult.indexOf('\n', at);
    const end = nl < 0 ? toolResult.length : nl;
    const m = line.exec(toolResult.slice(at, end));
    if (m) {
      const n = Number(m[1]);
      const contentAt = at + m[0].length;
      const content = toolResult.slice(contentAt, end);
      const target = fileLines[n - 1];
      if (!target || target.text.replace(/\r$/, '') !== content.replace(/\r$/, '')) return undefined;
      for (let k = 0; k < content.length; k++) map[contentAt + k] = target.start + k;
      if (nl >= 0 && target.start + target.text.length < fileText.length) map[end] = target.start + target.text.length;
      matched++;
    }
    if (nl < 0) break;
    at = nl + 1;
  }
  return matched === 0 ? undefined : map;
}
