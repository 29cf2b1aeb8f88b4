/**
 * What `aup-bisect detect` runs: output of any kind in, refusals out. Output that starts with `{` is JSON (one
 * `claude -p --output-format json` object, or stream-json / transcript lines) and is read by structure; anything
 * else is terminal output (a pty capture, or LF-only text) and goes through the terminal scanner.
 */
import type { TerminalRefusal } from './record';
import { parseJsonOutput, refusalsFromJson } from './structured';
import { TerminalRefusalScanner, type TerminalScannerOptions } from './terminal';

export class RefusalDetector {
  private mode: 'unknown' | 'json' | 'terminal' = 'unknown';
  private json = '';
  private readonly scanner: TerminalRefusalScanner;

  constructor(options: TerminalScannerOptions = {}) {
    this.scanner = new TerminalRefusalScanner(options);
  }

  /** Feed text split anywhere; returns the refusals complete so far (JSON is read whole at end()). */
  write(text: string): TerminalRefusal[] {
    if (this.mode === 'unknown') {
      const start = text.replace(/^[\s\uFEFF]+/, '');
      if (start === '') return [];
      this.mode = start.startsWith('{') ? 'json' : 'terminal';
    }
    if (this.mode === 'json') {
      this.json += text;
      return [];
    }
    return this.scanner.write(text);
  }

  end(): TerminalRefusal[] {
    if (this.mode !== 'json') return this.scanner.end();
    const objects = parseJsonOutput(this.json);
    if (objects) {
      this.scanner.end();
      return refusalsFromJson(objects);
    }
    // It only looked like JSON: read it as text after all.
    return [...this.scanner.write(this.json), ...this.scanner.end()];
  }
}

/** Every refusal in one piece of output. */
export function detectRefusals(text: string, options: TerminalScannerOptions = {}): TerminalRefusal[] {
  const detector = new RefusalDetector(options);
  return [...detector.write(text), ...detector.end()];
}
