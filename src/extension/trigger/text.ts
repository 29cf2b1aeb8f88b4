/**
 * What the marks say: the Problems panel's message for a kept span and the hover over it, with the result's next
 * steps as command links. Pure (imports only types and ids), so the wording is unit-tested.
 */
import type { BisectResult } from '../../core/bisect/result';
import { summarize } from '../bisect/viewModel';
import { Commands, MAKE_IT_PASS } from '../commands/ids';

/** The diagnostics' source, shown in the Problems panel beside each message. */
export const DIAGNOSTIC_SOURCE = 'aup-bisect';

/** Which model refused: the one probed, else the oracle's name. */
export function modelOf(result: BisectResult): string {
  return result.model ?? result.oracle;
}

/**
 * The Problems panel's message for a kept span: short, because VS Code shows it again at the top of every hover over
 * the span, right above ours (hoverMarkdown), which carries the figures and the next steps. A diagnostic's message is
 * plain text and cannot hold command links, so the hover is where the content goes and this line only names it.
 */
export function diagnosticMessage(result: BisectResult): string {
  return `refusal trigger on ${modelOf(result)}`;
}

/** Results whose kept spans are a trigger worth marking: one that refused on verification. */
export function marksTrigger(result: BisectResult): boolean {
  return (result.status === 'minimal' || result.status === 'partial') && result.verification.refused > 0 && result.minimal !== '';
}

/** The command ids the hover links to (a hover runs only the commands it is trusted with). */
export const HOVER_COMMANDS: readonly string[] = [Commands.draftIssue, MAKE_IT_PASS, Commands.openResult];

const link = (title: string, command: string, resultId: string): string =>
  `[${title}](command:${command}?${encodeURIComponent(JSON.stringify([{ resultId }]))})`;

/** The hover's Markdown: the result in a line, then Draft Issue · Make It Pass · Show Bisect for this result. */
export function hoverMarkdown(result: BisectResult, resultId: string): string {
  const escape = (text: string): string => text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
  return [
    `**AUP Bisect**: ${escape(summarize(result))}`,
    '',
    [link('Draft Issue', Commands.draftIssue, resultId), link('Make It Pass', MAKE_IT_PASS, resultId), link('Show Bisect', Commands.openResult, resultId)].join(' · '),
  ].join('\n');
}
