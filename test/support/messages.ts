/**
 * The one set of refusal message strings for tests: verbatim, per generation (../shared/notes/claude-code.md section
 * 1, the list in src/core/refusal/signatures.ts), and the API errors that are not refusals.
 */
const AUP = 'API Error: Claude Code is unable to respond to this request, which appears to violate our Usage Policy (https://www.anthropic.com/legal/aup).';
const ESC = 'Please double press esc to edit your last message or start a new session for Claude Code to assist with a different task.';

export const GENERATIONS = {
  A: 'API Error: 400 {"type":"error","error":{"type":"invalid_request_error","message":"Output blocked by content filtering policy"},"request_id":"req_011CYT2mJt3qn7PAX9R8mT23"}',
  A_short: 'API Error: Output blocked by content filtering policy',
  A_2_1_328: 'API Error: 400 Output blocked by content filtering policy',
  B: `${AUP} ${ESC}`,
  C: `${AUP} ${ESC} If you are seeing this refusal repeatedly, try running /model claude-sonnet-4-20250514 to switch models.`,
  D: `${AUP} Try rephrasing the request or attempting a different approach.`,
  E: `${AUP} This request triggered restrictions on violative cyber content and was blocked under Anthropic's Usage Policy. To learn more, provide feedback, or request an exemption based on how you use Claude, visit our help center: https://support.claude.com/en/articles/14604842-real-time-cyber-safeguards-on-claude. ${ESC}`,
  F: `${AUP} ${ESC}\n\nRequest ID: req_011CbgiZGk6bR8jQrLT4Ypem`,
  G: `Error: Error during compaction: ${AUP} ${ESC}`,
  H: "API Error: Opus 4.8's safeguards flagged this message for a cybersecurity topic. If your work requires this access, you can apply for an exemption: https://claude.com/form/cyber-use-case?token=[REDACTED_TOKEN]",
  H_later:
    'API Error: Opus 4.8 has safety measures that flagged this message for a cybersecurity topic. To learn about the Cyber Verification Program and apply for access, visit our help center: https://support.claude.com/en/articles/14604842-real-time-cyber-safeguards-on-claude.',
  I: "Fable 5's safeguards flagged this message. The safeguards are intentionally broad right now and may flag safe and routine coding, cybersecurity, or biology work. We're working on it. Switched to Opus 4.8. Send feedback with /feedback or learn more: https://support.claude.com/en/articles/15363606",
  J: "API Error: Fable 5's safeguards flagged this message (https://www.anthropic.com/legal/aup). Our intentionally broad safeguards allow us to deliver more capabilities faster, but can sometimes flag legitimate coding, cybersecurity, and biology tasks. Claude Code can't respond to this message with Fable 5.\nDouble press esc to edit your last message, or try a different model with /model.\nDetails: `[reasoning_extraction]`\nRequest ID: req_011CbhJ7qkWm3nVbT9sLdA2e",
  J_cant_help: "API Error: Opus 4.8 can't help with this. Start a new session to continue.",
  J_session: "API Error: Opus 5.5's safeguards flagged this session (https://www.anthropic.com/legal/aup). This sometimes happens with safe, normal conversations.",
  J_short: "API Error: Opus 5's safeguards flagged this message. Details: [reasoning_extraction]",
  J_they_may_flag:
    "API Error: Fable 5's safeguards flagged this message (https://www.anthropic.com/legal/aup). They may flag safe, normal content as well. These measures let us bring you Mythos-level capabilities sooner, and we're working to refine them. Claude Code can't respond to this request with Fable 5.",
  J_session_2_1_280:
    "API Error: Opus 5.5's safeguards flagged this session (https://www.anthropic.com/legal/aup). You may be seeing this for the first time on an Opus model: Opus 5.5 is more capable and has stronger safeguards as a result, which can sometimes flag non-cybersecurity work. Claude Code can't respond to your last message with Opus 5.5.",
  J_verification:
    "API Error: Opus 4.8's safeguards flagged this message. Our intentionally broad safeguards allow us to deliver more capabilities faster, but can sometimes flag legitimate cybersecurity work. Apply to the Cyber Verification Program to reduce these interruptions.",
  I_this_model:
    'This model has measures that flagged something in this session. This sometimes happens with safe, normal conversations. These measures let us bring you Mythos-level capability in other areas sooner. Switched to Opus 4.8.',
  I_fable_5_1: "Fable 5.1's safeguards flagged this message. The safeguards are intentionally broad right now and may flag safe and routine coding, cybersecurity, or biology work. Switched to Opus 5.",
  K: "Opus 5 (1M context)'s safeguards flagged this message. This sometimes happens with safe, normal conversations. Send feedback with /feedback or learn more: https://support.claude.com/en/articles/15363606\n❯ 1. Switch to Opus 4.8\n  2. Edit prompt and retry with Opus 5 (1M context)",
  relayed_sdk: "Agent SDK error: Claude Code returned an error result: API Error: Opus 4.8's safeguards flagged this message. Details: [cyber]",
  relayed_acp: 'ACP error: Internal error: API Error: Claude Code is unable to respond to this request, which appears to violate our Usage Policy (https://www.anthropic.com/legal/aup). Try rephrasing the request or attempting a different approach.',
  G_deep: "Error: Error during compaction: Error: API Error: Opus 4.8's safeguards flagged this message. Details: [cyber]",
  J_2_1_328:
    "API Error: Opus 4.8's safeguards flagged this message. Our intentionally broad safeguards allow us to deliver more capabilities faster, but can sometimes flag legitimate cybersecurity work. Learn more: https://support.claude.com/en/articles/14604842-real-time-cyber-safeguards-on-claude\n\nDetails: `[cyber]`\nRequest ID: req_011CcA1bZ2yX3wV4uT5sR6qP\nMessage ID: msg_01AbCdEfGhIjKlMnOpQrStUv",
} as const;

/** API errors Claude Code prints that are not refusals. */
export const NOT_REFUSALS = {
  rateLimit: 'API Error: 429 {"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit (https://docs.claude.com/en/api/rate-limits); see the response headers for current usage."}}',
  overloaded: 'API Error: 529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
  auth: 'API Error: 401 {"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}} · Please run /login',
  invalidKey: 'Invalid API key · Please run /login',
  network: 'API Error: Connection error.',
  timeout: 'API Error: Request timed out.',
  server: 'API Error: 500 {"type":"error","error":{"type":"api_error","message":"Internal server error"}}',
  promptTooLong: 'Prompt is too long · the request is ~212345 tokens (limit 200000) · Run /compact or /clear',
  promptTooLongApi: 'API Error: 400 {"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 212345 tokens > 200000 maximum"}}',
  credit: 'Credit balance is too low · Add funds: https://console.anthropic.com/settings/billing',
  usageLimit: 'Claude AI usage limit reached|1763900000',
  interrupted: '[Request interrupted by user]',
  noResponse: 'No response requested.',
} as const;

/** Generation J as 2.1.328 writes it in a transcript; the request id in the text is the refused request's. */
export const hardStop = (requestId = 'req_011CbgiZGk6bR8jQrLT4Ypem'): string =>
  "API Error: Fable 5's safeguards flagged this message (https://www.anthropic.com/legal/aup). Our intentionally broad safeguards allow us to deliver more capabilities faster, but can sometimes flag legitimate coding, cybersecurity, and biology tasks. Claude Code can't respond to this message with Fable 5.\nDetails: `[cyber]`\nRequest ID: " + requestId;
/** Generation I, the notice of an automatic fallback. */
export const FALLBACK_NOTICE = GENERATIONS.I;
export const USAGE_POLICY = GENERATIONS.B;
