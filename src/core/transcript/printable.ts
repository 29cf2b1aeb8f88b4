/**
 * Text from a transcript or a capture is written by other programs and may hold terminal control sequences (a file
 * path with ESC or BEL in it, a prompt pasted with colours): printed raw, it could move the cursor, retitle the
 * window or hide what follows. Everything the CLI prints from such text goes through one of these first.
 */

// C0 controls but tab and newline, DEL, C1 controls (0x9b is a one-byte CSI), and the bidi overrides that reorder
// what is shown.
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_IN_JSON = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** The text with control characters removed (tab and newline kept). */
export function printable(text: string): string {
  return text.replace(UNSAFE, '');
}

/** JSON.stringify, with the characters it leaves raw but a terminal acts on escaped too: lossless and inert. */
export function printableJson(value: unknown): string {
  return JSON.stringify(value).replace(UNSAFE_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
