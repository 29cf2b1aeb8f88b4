/**
 * Pulls the text a safety classifier would see out of a Messages API request: the system prompt, user and
 * assistant text, tool results, and documents (plain text, base64 text, and the text inside base64 PDFs).
 */
import { inflateSync } from 'node:zlib';
import type { ContentBlockLike, MessagesRequestBody, TextScope } from './types';

export interface ScopedText {
  scope: Exclude<TextScope, 'documents'>;
  text: string;
  /** Read out of a document block (its scope is where the block sits). */
  document?: true;
}

/** Every piece of text in the request, in the order the model reads it. */
export function requestTexts(body: MessagesRequestBody): ScopedText[] {
  const out: ScopedText[] = [];
  if (typeof body.system === 'string') out.push({ scope: 'system', text: body.system });
  else if (Array.isArray(body.system)) for (const block of body.system) pushBlock(out, block, 'system');
  for (const message of body.messages) {
    // Claude Code puts role "system" entries (reminders) between user turns: they count as system text.
    const scope: ScopedText['scope'] = message.role === 'system' ? 'system' : 'messages';
    if (typeof message.content === 'string') out.push({ scope, text: message.content });
    else if (Array.isArray(message.content)) for (const block of message.content) pushBlock(out, block, scope);
  }
  return out;
}

function pushBlock(out: ScopedText[], block: ContentBlockLike, scope: ScopedText['scope']): void {
  if (!block || typeof block !== 'object') return;
  switch (block.type) {
    case 'text':
      if (typeof block.text === 'string') out.push({ scope, text: block.text });
      return;
    case 'tool_result': {
      const content = block.content;
      if (typeof content === 'string') out.push({ scope: 'tool_results', text: content });
      else if (Array.isArray(content)) for (const inner of content as ContentBlockLike[]) pushBlock(out, inner, 'tool_results');
      return;
    }
    case 'tool_use':
      // The model's own tool calls (e.g. a Bash command) are part of the conversation it is judged on.
      if (block.input !== undefined) out.push({ scope, text: JSON.stringify(block.input) });
      return;
    case 'document': {
      const text = documentText(block);
      if (text) out.push({ scope, text, document: true });
      return;
    }
    default:
      return; // images, thinking blocks, server tool blocks: nothing a text rule can match
  }
}

function documentText(block: ContentBlockLike): string {
  const source = block.source as { type?: string; media_type?: string; data?: unknown; content?: unknown } | undefined;
  if (!source || typeof source !== 'object') return '';
  if (source.type === 'text' && typeof source.data === 'string') return source.data;
  if (source.type === 'content' && Array.isArray(source.content)) {
    const parts: ScopedText[] = [];
    for (const inner of source.content as ContentBlockLike[]) pushBlock(parts, inner, 'messages');
    return parts.map((p) => p.text).join('\n');
  }
  if (source.type === 'base64' && typeof source.data === 'string') {
    const bytes = Buffer.from(source.data, 'base64');
    if (source.media_type === 'application/pdf') return pdfText(bytes);
    if (source.media_type?.startsWith('text/')) return bytes.toString('utf8');
  }
  return '';
}

/**
 * The text of a PDF as a classifier over content streams would see it: each stream (inflated when it is
 * FlateDecode), followed by the strings shown by its text operators joined together, so a phrase split across
 * `[(CHARAC) -20 (TER)] TJ` pieces still reads as one. A toy, not a PDF parser: enough for content streams
 * written by ordinary tools.
 */
export function pdfText(pdf: Uint8Array): string {
  const raw = Buffer.from(pdf).toString('latin1');
  const pieces: string[] = [];
  const streamRe = /stream\r?\n/g;
  let match: RegExpExecArray | null;
  while ((match = streamRe.exec(raw))) {
    const start = match.index + match[0].length;
    const end = raw.indexOf('endstream', start);
    if (end < 0) break;
    // The stream's dictionary: from its object header (" obj") to the "stream" keyword.
    const head = raw.slice(Math.max(0, match.index - 1000), match.index);
    const dict = head.slice(Math.max(0, head.lastIndexOf(' obj')));
    let data = raw.slice(start, end).replace(/\r?\n$/, '');
    if (/\/FlateDecode/.test(dict)) {
      try {
        data = inflateSync(Buffer.from(data, 'latin1')).toString('latin1');
      } catch {
        continue; // not inflatable (a truncated or image stream): nothing readable in it
      }
    }
    pieces.push(data);
    const shown = shownText(data);
    if (shown) pieces.push(shown);
    streamRe.lastIndex = end;
  }
  return pieces.join('\n');
}

/**
 * Concatenates the strings shown by Tj, TJ, ' and " operators, literal `(...)` and hex `<...>` alike (pdf-lib
 * writes hex), one line per text object (BT ... ET).
 */
function shownText(stream: string): string {
  const lines: string[] = [];
  for (const object of stream.split(/\bET\b/)) {
    let line = '';
    const re = /\((?:\\.|[^\\)])*\)|<([0-9A-Fa-f\s]*)>/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(object))) {
      line += m[1] !== undefined ? Buffer.from(m[1].replace(/\s/g, ''), 'hex').toString('latin1') : unescapePdfString(m[0].slice(1, -1));
    }
    if (line) lines.push(line);
  }
  return lines.join('\n');
}

function unescapePdfString(s: string): string {
  return s.replace(/\\([nrtbf()\\]|[0-7]{1,3})/g, (_, c: string) => {
    const map: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '(': '(', ')': ')', '\\': '\\' };
    return map[c] ?? String.fromCharCode(parseInt(c, 8));
  });
}
