/**
 * Find refusals in terminal output: a live integrated terminal, a `script` capture, or text captured without a
 * terminal (`tmux capture-pane -p`, a paste: LF-only, maybe hard-wrapped at column 0). The data goes through
 * @xterm/headless, the emulator VS Code's own terminal uses, so cursor moves, redraws, wrapping, OSC 8 links and OSC
 * 633 shell-integration markers end up as the rows a person sees; the wording layer then reads those rows.
 *
 * A message block is its first row (after UI markers such as ⎿ ⏺ ●, or a relaying program's "... error: " prefix),
 * the rows that continue it (soft wraps, indented rows, rows hard-wrapped at column 0), and after it, up to a few
 * paragraphs further, its `Details:`, `Request ID:` and `Message ID:` lines and the paragraphs Claude Code prints
 * around them. A message inside a fenced code block, a `> ` quote, a `git log` entry, a grep hit or a diff line is a
 * quote, not a refusal.
 */
import { Terminal } from '@xterm/headless';
import type { TerminalRefusal } from './record';
import { matchRefusalText, startsRefusal, type RefusalTextMatch } from './signatures';

export interface TerminalScannerOptions {
  cols?: number;
  rows?: number;
  /** Lines kept above the screen. Bounded so a terminal open for days stays small. */
  scrollback?: number;
}

/** xterm's WriteBuffer parses synchronously through this; the public write() defers parsing to a later tick. */
interface SyncWriter {
  _core?: { _writeBuffer?: { writeSync?: (data: string) => void } };
}

// What may precede a message on its first row: white space, Claude Code's tree glyphs, bullets, a box border.
const LEAD = /^[\s⎿●⏺│▐▌✻✢·]*/u;
// Rows that carry on a message block wherever they are (`claude -p` prints them at column 0).
const TRAILER = /^(?:Details:|Request ID:|Message ID:|Double press esc|Please double press esc)/;
// Paragraphs Claude Code prints between a message and its Details/Request ID lines: kept in the message.
const KNOWN_PARAGRAPH =
  /^(?:Send feedback with \/feedback|Try rephrasing the request|If you were not engaging in a cybersecurity topic|Learn more:|Apply to the Cyber Verification Program|This sometimes happens with safe|You can learn more)/;
// The numbered choice of the "Session paused" dialog (generation K).
const CHOICE = /^(?:[❯>›]\s*)?\d\.\s+(?:Switch to|Edit prompt and retry)\b/;
// Glyphs that begin another element of Claude Code's screen (bullets, tree, spinner, prompt, box, status line).
const GLYPH = /^[⎿●⏺│▐▌✻✢✽✶✳·*◐◑◒◓⏵❯>╭╰─]/u;
// A shell prompt: the command that follows is not part of the message.
const SHELL_PROMPT = /^(?:[\w.@~:/-]*[$#%]|[❯›➜λ])(?:\s|$)/u;
// Claude Code indents a message's continuation rows by 2 (5 under a ⎿); a right-aligned status is far more.
const MAX_INDENT = 10;
const TRAILER_WORDS = ['Details:', 'Request ID:', 'Message ID:', 'Double press esc', 'Please double press esc'];
const MAX_BLOCK_ROWS = 40;
// Paragraphs nobody told us about, skipped while looking for the Request ID further down.
const MAX_SKIPPED_ROWS = 12;
const MAX_BLANKS = 2;
// A row this long that is followed by a row at column 0 was wrapped by whatever printed or captured it.
const MIN_HARD_WRAP = 40;
// The narrowest width a printer is taken to wrap at, for a short row followed by a long word.
const MIN_WRAP_WIDTH = 60;
// How far above a message to look for an opening code fence.
const FENCE_LOOKBACK = 400;
// Cursor home, erase display, alternate screen, full reset: where a new frame begins or the screen is wiped.
const FRAME_START = /\x1b\[(?:H|1;1H|[23]J|\?1049[hl]|\?47[hl])|\x1bc/g;
const FENCE = /^\s*(?:>\s*)*(?:```|~~~)/;
const GIT_LOG_HEADER = /^(?:commit [0-9a-f]{7,40}\b|Author: |Date: |Merge: )/;

class Row {
  private trimmed: string | undefined;
  constructor(
    readonly raw: string,
    readonly wrapped: boolean,
  ) {}
  /** The row without trailing blanks, computed only for rows a message is read from. */
  get text(): string {
    this.trimmed ??= this.raw.trimEnd();
    return this.trimmed;
  }
}

interface Block {
  text: string;
  /** The same rows joined without a space where a row was cut at the capture width (mid-word). */
  tight: string;
  last: number;
  closed: boolean;
}

export class TerminalRefusalScanner {
  private readonly terminal: Terminal;
  private readonly writeSync: (data: string) => void;
  private readonly seen = new Set<string>();
  private readonly seenOrder: string[] = [];
  private lineFeeds = 0;
  /** Rows from the bottom that must be looked at again: an unfinished message, maybe scrolled up since. */
  private pendingFromBottom = 0;
  private ended = false;
  /** Whether line ends are bare LFs (text captured without a terminal); decided at the first line end. */
  private lfOnly: boolean | undefined;
  private lastChar = '';

  constructor(options: TerminalScannerOptions = {}) {
    this.terminal = new Terminal({
      cols: options.cols ?? 120,
      rows: options.rows ?? 50,
      scrollback: options.scrollback ?? 1000,
      allowProposedApi: true,
    });
    const writer = (this.terminal as unknown as SyncWriter)._core?._writeBuffer;
    if (typeof writer?.writeSync !== 'function') {
      throw new Error('@xterm/headless has no synchronous write in this version; pin @xterm/headless 6.x');
    }
    this.writeSync = (data) => writer.writeSync!(data);
    this.terminal.onLineFeed(() => this.lineFeeds++);
  }

  /** Feed raw terminal data, split anywhere. Returns the refusals that became complete with this chunk. */
  write(chunk: string): TerminalRefusal[] {
    if (this.ended || chunk === '') return [];
    this.sniffLineEnds(chunk);
    // A full-screen TUI paints frame after frame (cursor home, then only the cells that changed) and clears the
    // screen on exit, so one chunk can hold a message and the frame that erased it: look at each frame boundary.
    const found: TerminalRefusal[] = [];
    let from = 0;
    FRAME_START.lastIndex = 1;
    for (let m = FRAME_START.exec(chunk); m; m = FRAME_START.exec(chunk)) {
      this.writeSync(chunk.slice(from, m.index));
      found.push(...this.scan(false));
      from = m.index;
      if (FRAME_START.lastIndex === m.index) FRAME_START.lastIndex++;
    }
    this.writeSync(chunk.slice(from));
    found.push(...this.scan(false));
    return found;
  }

  /** No more data: report a message still open at the bottom (e.g. the capture ended right after it). */
  end(): TerminalRefusal[] {
    if (this.ended) return [];
    const found = this.scan(true);
    this.ended = true;
    this.terminal.dispose();
    return found;
  }

  resize(cols: number, rows: number): void {
    this.terminal.resize(cols, rows);
  }

  /**
   * A terminal always receives CR LF (the tty adds the CR); text from a file or a paste has bare LFs, which a terminal
   * takes as "down one row, same column". Decided once, at the first line end, so a TUI's own bare LFs later on are
   * left alone.
   */
  private sniffLineEnds(chunk: string): void {
    if (this.lfOnly === undefined) {
      const nl = chunk.indexOf('\n');
      if (nl >= 0) {
        const before = nl > 0 ? chunk[nl - 1] : this.lastChar;
        this.lfOnly = before !== '\r';
        if (this.lfOnly) this.terminal.options.convertEol = true;
      }
    }
    this.lastChar = chunk[chunk.length - 1];
  }

  private scan(final: boolean): TerminalRefusal[] {
    const buffer = this.terminal.buffer.active;
    const length = buffer.length;
    const reach = Math.min(length, this.terminal.rows + this.lineFeeds + this.pendingFromBottom);
    this.lineFeeds = 0;
    this.pendingFromBottom = 0;
    const first = length - reach;
    const rows: Row[] = [];
    for (let y = first; y < length; y++) {
      const line = buffer.getLine(y);
      const raw = line ? line.translateToString(false) : '';
      rows.push(new Row(raw, line?.isWrapped ?? false));
    }
    // The screen below the last written row is empty space, not content that ends a message.
    let lastContent = rows.length - 1;
    while (lastContent >= 0 && !/\S/.test(rows[lastContent].raw)) lastContent--;

    // The row under the cursor may be half drawn: it cannot end a message if it could still become part of it.
    const cursorRow = buffer.baseY + buffer.cursorY - first;
    const found: TerminalRefusal[] = [];
    for (let i = 0; i <= lastContent; i++) {
      if (rows[i].wrapped) continue;
      // Most rows of a busy terminal hold none of the words a message starts with: reject them without a regex.
      const raw = rows[i].raw;
      if (!raw.includes('API Error') && !raw.includes('safeguards') && !raw.includes('measures') && !raw.includes('compaction')) continue;
      const head = rows[i].text.replace(LEAD, '');
      if (!startsRefusal(head) || this.quoted(first + i, rows[i].text)) continue;
      const block = final ? this.collect(rows, i, lastContent, Infinity, 0) : this.collect(rows, i, lastContent, cursorRow, buffer.cursorX);
      if (!block.closed && !final) {
        this.pendingFromBottom = Math.max(this.pendingFromBottom, rows.length - i);
        continue;
      }
      const refusal = this.toRefusal(block);
      if (refusal && this.firstSighting(refusal)) found.push(refusal);
      i = block.last;
    }
    return found;
  }

  /**
   * A quote of a message rather than the message: inside a fenced code block (an odd number of fences above, within
   * FENCE_LOOKBACK rows), or the body of a `git log` entry (its header a few rows above).
   */
  private quoted(y: number, text: string): boolean {
    if (/^\s*[>+-]/.test(text)) return true;
    const buffer = this.terminal.buffer.active;
    const rowAt = (k: number): string => buffer.getLine(k)?.translateToString(true) ?? '';
    // A diff's context line: the rows above it up to a hunk header are all context, added or removed lines.
    if (text.startsWith(' ')) {
      for (let k = y - 1; k >= 0 && k >= y - 200; k--) {
        const row = rowAt(k);
        if (row.startsWith('@@ ')) return true;
        if (!/^[ +-]/.test(row)) break;
      }
    }
    let fences = 0;
    for (let k = y - 1; k >= 0 && k >= y - FENCE_LOOKBACK; k--) {
      const row = rowAt(k);
      if (FENCE.test(row)) fences++;
      if (k >= y - 6 && GIT_LOG_HEADER.test(row)) return true;
    }
    return fences % 2 === 1;
  }

  /**
   * Join a message's rows back into its text. `closed` once something else was painted after it: a row above the
   * cursor, or the part of the cursor's row left of it. Rows below the cursor still hold the previous frame.
   */
  private collect(rows: Row[], start: number, lastContent: number, cursorRow: number, cursorX: number): Block {
    // A message drawn in a box (the Session paused dialog): its rows are read without the borders.
    const boxed = /^\s*│/.test(rows[start].raw);
    const unbox = (s: string): string => (boxed ? s.replace(/^\s*│/, '').replace(/│\s*$/, '') : s);
    // A row the terminal soft-wrapped continues mid-word: keep the previous row's trailing spaces.
    const own = (j: number): string => (rows[j + 1]?.wrapped ? unbox(rows[j].raw) : unbox(rows[j].text).trimEnd());
    const body: string[] = [own(start).replace(LEAD, '')];
    const widths: number[] = [unbox(rows[start].text).trimEnd().length];
    let tail = '';
    let last = start;
    let blanks = 0;
    let inBody = true;
    let appending = false;
    let skipped = 0;
    const done = (closed: boolean): Block => {
      const spaced = body.join(' ') + tail;
      // Rows all cut at one width (≥ MIN_HARD_WRAP) were split mid-word by a capture: join those without a space.
      const cut = widths.length > 1 ? Math.max(...widths.slice(0, -1)) : 0;
      const tight = cut >= MIN_HARD_WRAP ? body.reduce((acc, piece, k) => (k === 0 ? piece : acc + (widths[k - 1] === cut ? '' : ' ') + piece), '') + tail : spaced;
      return { text: spaced, tight, last, closed };
    };
    if (start >= cursorRow) return done(false);
    for (let j = start + 1; j <= lastContent; j++) {
      if (j - start >= MAX_BLOCK_ROWS) return done(true);
      if (j > cursorRow) return done(false);
      const atCursor = j === cursorRow;
      const row = rows[j];
      if (row.wrapped) {
        if (atCursor) return done(false);
        if (inBody) body[body.length - 1] += own(j);
        else if (appending) tail += own(j);
        last = j;
        continue;
      }
      const fresh = unbox(atCursor ? row.raw.slice(0, cursorX) : row.text);
      const indent = /^\s*/.exec(fresh)![0].length;
      const text = fresh.slice(indent).trimEnd();
      if (text === '') {
        if (atCursor) return done(false);
        if (++blanks > MAX_BLANKS) return done(true);
        inBody = false;
        appending = false;
        continue;
      }
      const sep = blanks > 0 ? '\n\n' : '\n';
      const previous = widths[widths.length - 1];
      // A row at column 0 continues the message when the one above was long, or when the word it starts with
      // would not have fitted after it: the printer wrapped there.
      const hardWrapped = indent === 0 && (previous >= MIN_HARD_WRAP || previous + 1 + text.split(' ', 1)[0].length >= MIN_WRAP_WIDTH);
      if (TRAILER.test(text) || CHOICE.test(text)) {
        if (atCursor) return done(false);
        tail += `${sep}${text.replace(/^[❯>›]\s*/, '')}`;
        inBody = false;
        appending = !CHOICE.test(text);
      } else if (startsRefusal(text) || GLYPH.test(text) || SHELL_PROMPT.test(text) || (!inBody && indent === 0 && /^\S+:\d+:/.test(text))) {
        // Something else begins here, unless it is the cursor's row and could still grow into part of the message.
        const unfinished = atCursor && (indent > 0 || TRAILER_WORDS.some((w) => w.startsWith(text)));
        return done(!unfinished);
      } else if (inBody && blanks === 0 && ((indent > 0 && indent <= MAX_INDENT) || hardWrapped)) {
        if (atCursor) return done(false);
        body.push(text);
        widths.push(fresh.trimEnd().length);
      } else if (KNOWN_PARAGRAPH.test(text)) {
        if (atCursor) return done(false);
        tail += `${sep}${text}`;
        inBody = false;
        appending = true;
      } else if (appending && blanks === 0 && indent <= MAX_INDENT) {
        if (atCursor) return done(false);
        tail += ` ${text}`;
      } else if (inBody && blanks === 0) {
        // A short row followed by one at column 0: the message ended and something else was printed.
        return done(!atCursor);
      } else {
        // A paragraph nobody told us about: skipped, but the Request ID may still come below it.
        if (atCursor) return done(false);
        if (++skipped > MAX_SKIPPED_ROWS) return done(true);
        inBody = false;
        appending = false;
      }
      last = j;
      blanks = 0;
    }
    return done(false);
  }

  /**
   * Rows cut at one width may have been cut mid-word (a capture) or between words (a printer's wrapping): read both
   * joins and keep the one that says more (a known generation, a longer request id, a category).
   */
  private toRefusal(block: Block): TerminalRefusal | undefined {
    const spaced = matchRefusalText(block.text);
    if (block.tight === block.text) return spaced && refusalFromMatch(spaced, block.text);
    const tight = matchRefusalText(block.tight);
    return score(tight) > score(spaced) ? refusalFromMatch(tight!, block.tight) : spaced && refusalFromMatch(spaced, block.text);
  }

  /**
   * Once per refusal across redraws (a TUI repaints the same message many times): keyed by request id when printed,
   * else by the text, so two identical messages without ids in one terminal are reported once.
   */
  private firstSighting(refusal: TerminalRefusal): boolean {
    const key = refusal.requestId ? `id:${refusal.requestId}` : `text:${refusal.message}`;
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    this.seenOrder.push(key);
    if (this.seenOrder.length > 1000) this.seen.delete(this.seenOrder.shift()!);
    return true;
  }
}

function score(match: RefusalTextMatch | undefined): number {
  if (!match) return 0;
  return (match.generation === 'unknown' ? 1 : 100) + (match.requestId?.length ?? 0) + (match.category ? 10 : 0) + (match.messageId ? 5 : 0) + (match.modelLabel ? 2 : 0);
}

/** The terminal refusal for a wording match of `message`. */
export function refusalFromMatch(match: RefusalTextMatch, message: string): TerminalRefusal {
  const refusal: TerminalRefusal = { kind: match.kind, generation: match.generation, message, sessionContinued: match.sessionContinued };
  if (match.requestId) refusal.requestId = match.requestId;
  if (match.messageId) refusal.messageId = match.messageId;
  if (match.modelLabel) refusal.model = match.modelLabel;
  if (match.fallbackModelLabel) refusal.fallbackModel = match.fallbackModelLabel;
  if (match.category) refusal.category = match.category;
  if (match.scope) refusal.scope = match.scope;
  if (match.relayedBy) refusal.relayedBy = match.relayedBy;
  if (match.generation === 'unknown') refusal.unrecognisedWording = message;
  return refusal;
}
