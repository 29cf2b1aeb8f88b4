/**
 * Scripted agentic mode: when the newest user turn is a prompt naming an absolute file path and the request
 * offers the Read tool, the stand-in first answers with a Read tool_use of that path. Claude Code runs the tool and
 * sends the result back; that request is classified like any other, so a refusal lands on a tool result as it
 * does in real use.
 */
import { toolUseId } from './ids';
import type { SimContentBlock } from './message';
import type { ContentBlockLike, MessagesRequestBody } from './types';

export interface ScriptOptions {
  /** Tool to call; default "Read" (Claude Code's file reader, input {file_path}). */
  tool?: string;
  /** Name of the input field carrying the path; default "file_path". */
  pathField?: string;
}

// An absolute path with a file extension, e.g. /tmp/work/ad.pdf, not inside a longer word or URL.
const PATH_RE = /(?:^|[\s`'"(])(\/(?:[\w.@+-]+\/)*[\w@+-][\w.@+-]*\.[A-Za-z0-9]{1,8})(?=$|[\s`'",).:;!?])/m;

/** The scripted tool call to answer with, or undefined to answer normally. */
export function scriptedToolUse(body: MessagesRequestBody, options: ScriptOptions): Extract<SimContentBlock, { type: 'tool_use' }> | undefined {
  const tool = options.tool ?? 'Read';
  if (!body.tools?.some((t) => t.name === tool)) return undefined;
  const last = lastUserTurn(body);
  if (!last || last.some((b) => b.type === 'tool_result')) return undefined; // the tool already ran: now judge
  for (const block of last) {
    if (block.type !== 'text' || typeof block.text !== 'string') continue;
    // Claude Code wraps reminders in <system-reminder> tags inside user turns; paths in them are not the user's.
    const text = block.text.replace(/<system-reminder>[\s\S]*?<\/system-reminder>/g, '');
    const match = PATH_RE.exec(text);
    if (match) return { type: 'tool_use', id: toolUseId(), name: tool, input: { [options.pathField ?? 'file_path']: match[1] } };
  }
  return undefined;
}

/** The newest user message's blocks; role "system" entries Claude Code puts after it are skipped. */
function lastUserTurn(body: MessagesRequestBody): ContentBlockLike[] | undefined {
  for (let i = body.messages.length - 1; i >= 0; i--) {
    const m = body.messages[i];
    if (m.role === 'system') continue;
    if (m.role !== 'user') return undefined;
    return typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content;
  }
  return undefined;
}
