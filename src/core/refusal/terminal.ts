/**
 * Find refusals in raw terminal output (the integrated terminal, a `script` capture). The bytes go through
 * @xterm/headless, the emulator VS Code's own terminal uses, so cursor moves, redraws, wrapping, OSC 8 links and
 * OSC 633 shell-integration markers end up as the lines a person sees; the wording layer then reads those lines.
 */
import { Terminal } from '@xterm/headless';
import type { RefusalKind } from './record';
import { matchRefusalText, type Generation } from './signatures';

export interface TerminalRefusal {
  kind: RefusalKind;
  generation: Generation;
  /** The message as shown, wrapped rows joined back. */
  message: string;
  requestId?: string;
  messageId?: string;
  /** The model named in the message, as printed ("Opus 4.8"). */
  model?: string;
  fallbackModel?: string;
  category?: string;
  sessionContinued: boolean;
}

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

// A row that begins a message: Claude Code's tree glyphs and bullets may precede it, never the "> " of a prompt.
const LEAD = /^[\s⎿●⏺│▐▌✻✢·*]*/u;
const START = /^(?:API Error\b|(?:Error:\s*)?Error during compaction:|.{1,40}?'s safeguards flagged this (?:message|session)\b)/;
// Rows that carry on a message printed at column 0 (`claude -p`) rather than start something else.
const TRAILER = /^(?:Details:|Request ID:|Message ID:|Double press esc|Please double press esc)/;
// Glyphs that begin another element of Claude Code's screen (bullets, tree, spinner, prompt, box, status line).
const GLYPH = /^[⎿●⏺│▐▌✻✢✽✶✳·*◐◑◒◓⏵❯>╭╰─]/u;
// Claude Code indents a message's continuation rows by 2 (5 under a ⎿); a right-aligned status is far more.
const MAX_INDENT = 10;
const TRAILER_WORDS = ['Details:', 'Request ID:', 'Message ID:', 'Double press esc', 'Please double press esc'];
const MAX_BLOCK_ROWS = 40;
// Cursor home, erase display, alternate screen, full reset: where a new frame begins or the screen is wiped.
const FRAME_START = /\x1b\[(?:H|1;1H|[23]J|\?1049[hl]|\?47[hl])|\x1bc/g;

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
const MAX_BLANKS = 2;

export class TerminalRefusalScanner {
  private readonly terminal: Terminal;
  private readonly writeSync: (data: string) => void;
  private readonly seen = new Set<string>();
  private readonly seenOrder: string[] = [];
  private lineFeeds = 0;
  /** Rows from the bottom that must be looked at again: an unfinished message, maybe scrolled up since. */
  private pendingFromBottom = 0;
  private ended = false;

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
      if (!raw.includes('API Error') && !raw.includes('safeguards') && !raw.includes('compaction')) continue;
      const head = rows[i].text.replace(LEAD, '');
      if (!START.test(head)) continue;
      const block = final ? this.collect(rows, i, lastContent, Infinity, 0) : this.collect(rows, i, lastContent, cursorRow, buffer.cursorX);
      if (!block.closed && !final) {
        this.pendingFromBottom = Math.max(this.pendingFromBottom, rows.length - i);
        continue;
      }
      const refusal = this.toRefusal(block.text);
      if (refusal && this.firstSighting(refusal)) found.push(refusal);
      i = block.last;
    }
    return found;
  }

  /**
   * Join a message's rows back into its text. `closed` once something else was painted after it: a row above the
   * cursor, or the part of the cursor's row left of it. Rows below the cursor still hold the previous frame.
   */
  private collect(rows: Row[], start: number, lastContent: number, cursorRow: number, cursorX: number): { text: string; last: number; closed: boolean } {
    // A row the terminal soft-wrapped continues mid-word: keep the previous row's trailing spaces.
    const own = (j: number): string => (rows[j + 1]?.wrapped ? rows[j].raw : rows[j].text);
    let text = own(start).replace(LEAD, '');
    let last = start;
    let blanks = 0;
    const open = (): { text: string; last: number; closed: boolean } => ({ text, last, closed: false });
    if (start >= cursorRow) return open();
    for (let j = start + 1; j <= lastContent && j - start < MAX_BLOCK_ROWS; j++) {
      if (j > cursorRow) return open();
      const atCursor = j === cursorRow;
      const row = rows[j];
      if (row.wrapped) {
        if (atCursor) return open();
        text += own(j);
        last = j;
        blanks = 0;
        continue;
      }
      const fresh = atCursor ? row.raw.slice(0, cursorX) : row.text;
      const indent = /^\s*/.exec(fresh)![0].length;
      const body = fresh.slice(indent).trimEnd();
      if (body === '') {
        if (atCursor) return open();
        if (++blanks > MAX_BLANKS) return { text, last, closed: true };
        continue;
      }
      if (TRAILER.test(body)) {
        if (atCursor) return open();
        text += `${blanks > 0 ? '\n\n' : '\n'}${body}`;
      } else if (indent > 0 && indent <= MAX_INDENT && blanks === 0 && !GLYPH.test(body) && !START.test(body)) {
        if (atCursor) return open();
        text += ` ${body}`;
      } else {
        // Something else begins here, unless it is the cursor's row and could still grow into part of the message.
        const unfinished = atCursor && (indent > 0 || TRAILER_WORDS.some((w) => w.startsWith(body)));
        return { text, last, closed: !unfinished };
      }
      last = j;
      blanks = 0;
    }
    return open();
  }

  private toRefusal(text: string): TerminalRefusal | undefined {
    const match = matchRefusalText(text);
    if (!match) return undefined;
    const refusal: TerminalRefusal = { kind: match.kind, generation: match.generation, message: text, sessionContinued: match.sessionContinued };
    if (match.requestId) refusal.requestId = match.requestId;
    if (match.messageId) refusal.messageId = match.messageId;
    if (match.modelLabel) refusal.model = match.modelLabel;
    if (match.fallbackModelLabel) refusal.fallbackModel = match.fallbackModelLabel;
    if (match.category) refusal.category = match.category;
    return refusal;
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
