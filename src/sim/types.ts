/**
 * The slice of the Messages API request body the stand-in reads. Deliberately loose: Claude Code sends fields
 * (betas, thinking, context_management, cache_control, ...) that the stand-in accepts and ignores, and new block
 * types appear often, so unknown fields and block types pass through untouched instead of being rejected.
 */

export interface ContentBlockLike {
  type: string;
  [field: string]: unknown;
}

export interface MessageLike {
  role: 'user' | 'assistant' | 'system' | string;
  content: string | ContentBlockLike[];
}

export interface ToolLike {
  name?: string;
  [field: string]: unknown;
}

export interface MessagesRequestBody {
  model: string;
  messages: MessageLike[];
  system?: string | ContentBlockLike[];
  tools?: ToolLike[];
  max_tokens?: number;
  stream?: boolean;
  [field: string]: unknown;
}

/**
 * Where a piece of request text came from; rules can be restricted to one of these. "documents" is the text read out
 * of document blocks (a PDF attached or read), wherever they sit: a rule on it lets the same words pass as plain text.
 */
export type TextScope = 'system' | 'messages' | 'tool_results' | 'documents';
