import { describe, expect, it } from 'vitest';
import type { TerminalRefusal } from '../../../src/core/refusal/record';
import { TerminalRefusalScanner } from '../../../src/core/refusal/terminal';
import { GENERATIONS, NOT_REFUSALS } from '../../support/messages';

const ESC = '\x1b';
const BEL = '\x07';
const link = (url: string, text = url) => `${ESC}]8;id=l1;${url}${BEL}${text}${ESC}]8;;${BEL}`;
const up = (n: number) => `${ESC}[${n}A`;
const right = (n: number) => `${ESC}[${n}C`;

/**
 * A frame the way Claude Code's TUI draws a hard stop: the message wrapped at the width by the TUI itself, each
 * continuation row reached with \r and a cursor move, colours, an OSC 8 link, then the prompt box below it.
 */
const TUI = [
  `${ESC}]633;A${BEL}${ESC}]633;B${BEL}${ESC}[?25l`,
  `${ESC}[1m>${ESC}[22m scan the ports on my staging box\r\n\r\n`,
  `${ESC}[38;5;174m●${ESC}[39m Read(scanner.py)\r\n`,
  `  ⎿  Read 3 lines\r\n\r\n`,
  `  ⎿  ${ESC}[31mAPI Error: Opus 4.8's safeguards flagged this message. Our intentionally broad safeguards allow${ESC}[39m\r`,
  `\n${right(5)}${ESC}[31mus to deliver more capabilities faster, but can sometimes flag legitimate cybersecurity work.${ESC}[39m\r\n`,
  `${right(5)}Learn more: ${link('https://support.claude.com/en/articles/14604842-real-time-cyber-safeguards-on-claude')}\r\n\r\n`,
  `${right(5)}Details: \`[cyber]\`\r\n`,
  `${right(5)}Request ID: req_011CcA1bZ2yX3wV4uT5sR6qP\r\n\r\n`,
  `╭──────────────────────────────────────────╮\r\n`,
  `│ > ${ESC}[7m ${ESC}[27m                                      │\r\n`,
  `╰──────────────────────────────────────────╯\r\n`,
  `${ESC}]633;D;0${BEL}`,
].join('');

function feed(chunks: string[], options = {}): TerminalRefusal[] {
  const scanner = new TerminalRefusalScanner(options);
  const found: TerminalRefusal[] = [];
  for (const chunk of chunks) found.push(...scanner.write(chunk));
  found.push(...scanner.end());
  return found;
}

describe('TerminalRefusalScanner', () => {
  it('reads a wrapped TUI message with its request id, model and category', () => {
    const [refusal, ...rest] = feed([TUI]);
    expect(rest).toEqual([]);
    expect(refusal).toMatchObject({ kind: 'safeguards', generation: 'J', requestId: 'req_011CcA1bZ2yX3wV4uT5sR6qP', model: 'Opus 4.8', category: 'cyber' });
    expect(refusal.message).toContain('can sometimes flag legitimate cybersecurity work. Learn more: https://support.claude.com/en/articles/14604842');
  });

  it('finds it once whatever byte the data is split at, escape sequences included', () => {
    const expected = feed([TUI]);
    for (let k = 1; k < TUI.length; k++) {
      expect(feed([TUI.slice(0, k), TUI.slice(k)]), `split at ${k}`).toEqual(expected);
    }
    expect(feed([...TUI])).toEqual(expected);
  });

  it('reports a message when something is drawn after it, not while it may still be growing', () => {
    const scanner = new TerminalRefusalScanner();
    expect(scanner.write(`$ claude -p 'scan ports'\r\n${GENERATIONS.J_2_1_328.replace(/\n/g, '\r\n')}\r\n`)).toEqual([]);
    const [refusal] = scanner.write('$ ');
    expect(refusal).toMatchObject({ generation: 'J', requestId: 'req_011CcA1bZ2yX3wV4uT5sR6qP', messageId: 'msg_01AbCdEfGhIjKlMnOpQrStUv', category: 'cyber', model: 'Opus 4.8' });
  });

  it('reports a message left open at the end of a capture on end()', () => {
    const scanner = new TerminalRefusalScanner({ cols: 80 });
    expect(scanner.write(GENERATIONS.D)).toEqual([]);
    expect(scanner.end()).toMatchObject([{ kind: 'usage-policy', generation: 'D' }]);
  });

  it('reports a message once across redraws of the same screen', () => {
    const frame = `${ESC}[H${ESC}[2J${TUI}`;
    const redraw = `${up(10)}\r${TUI.slice(TUI.indexOf('  ⎿  \x1b[31mAPI'))}`;
    expect(feed([frame, redraw, frame, frame])).toHaveLength(1);
  });

  it('reports every generation printed at column 0, each once', () => {
    const texts = [GENERATIONS.A, GENERATIONS.B, GENERATIONS.C, GENERATIONS.E, GENERATIONS.F, GENERATIONS.G, GENERATIONS.H_later, GENERATIONS.I, GENERATIONS.J_cant_help];
    const found = feed([...texts.map((t) => `$ claude -p 'task'\r\n${t.replace(/\n/g, '\r\n')}\r\n`), '$ '], { cols: 100 });
    expect(found.map((r) => r.generation)).toEqual(['A', 'B', 'C', 'E', 'F', 'G', 'H', 'I', 'J']);
    expect(found[7]).toMatchObject({ sessionContinued: true, model: 'Fable 5', fallbackModel: 'Opus 4.8' });
  });

  it('tells two refusals apart by their request ids', () => {
    const one = `$ claude -p a\r\nAPI Error: Opus 4.8's safeguards flagged this message.\r\nRequest ID: req_011AAAAAAAAA\r\n`;
    const two = `$ claude -p b\r\nAPI Error: Opus 4.8's safeguards flagged this message.\r\nRequest ID: req_011BBBBBBBBB\r\n$ `;
    expect(feed([one, two]).map((r) => r.requestId)).toEqual(['req_011AAAAAAAAA', 'req_011BBBBBBBBB']);
  });

  it('ignores the same words typed or pasted into the prompt, and non-refusal errors', () => {
    const typed = `│ > ${GENERATIONS.B}\r\n╰────╯\r\n`;
    const errors = Object.values(NOT_REFUSALS).map((t) => `  ⎿  ${t}\r\n$ x\r\n`);
    expect(feed([typed, ...errors])).toEqual([]);
  });

  it('finds a message that scrolled far up before the next prompt was drawn', () => {
    const filler = Array.from({ length: 200 }, (_, i) => `line ${i}\r\n`).join('');
    const chunks = [`${GENERATIONS.B}\r\n`, `\r\n${filler}`];
    expect(feed(chunks, { rows: 24, cols: 100 })).toMatchObject([{ generation: 'B' }]);
  });

  it('reads LF-only text (a paste, tmux capture-pane -p) the same wherever it is split, its first line end included', () => {
    const text = `I ran it and got:\n${GENERATIONS.J_2_1_328}\n\nthen nothing.\n`;
    const expected = feed([text]);
    expect(expected).toMatchObject([{ generation: 'J', requestId: 'req_011CcA1bZ2yX3wV4uT5sR6qP', category: 'cyber' }]);
    for (const k of [1, 17, 18, 19, 40, 200]) expect(feed([text.slice(0, k), text.slice(k)]), `split at ${k}`).toEqual(expected);
  });

  it('joins a message hard-wrapped at column 0 and finds its request id past a paragraph it does not know', () => {
    const wrapped = [
      "API Error: Opus 4.8's safeguards flagged this message. Our intentionally broad",
      'safeguards allow us to deliver more capabilities faster, but can sometimes flag',
      'legitimate cybersecurity work.',
      '',
      'Some text another program printed here, which is not part of the message.',
      '',
      'Request ID: req_011CWrapped80xyz',
      '',
    ].join('\n');
    const [refusal] = feed([wrapped]);
    expect(refusal).toMatchObject({ generation: 'J', requestId: 'req_011CWrapped80xyz', model: 'Opus 4.8' });
    expect(refusal.message).toContain('broad safeguards allow us');
    expect(refusal.message).not.toContain('another program');
  });
});

