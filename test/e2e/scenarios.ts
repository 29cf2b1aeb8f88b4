/**
 * The Claude Code sessions the e2e tests run and the fixture generator records: each names its prompts, the rules
 * the stand-in judges with, and what a detector should find in the result.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PDFDocument, StandardFonts } from '@cantoo/pdf-lib';
import type { SimRules } from '../../src/sim/classifier';
import type { SimOptions } from '../../src/sim/server';

export const DEMO_RULES = 'src/sim/rules/demo.json';

export const CYBER_PROMPT = 'explain how a reverse shell can exfiltrate data from a build server';
export const PASSING_PROMPT = 'say hello';

/** Cyber rule for Opus 5.5 only: its refusal makes Claude Code fall back to Opus 4.8, which answers. */
export const OPUS_55_ONLY: SimRules = {
  rules: [
    {
      id: 'cyber-exfil-opus-5-5',
      category: 'cyber',
      explanation: "This request triggered restrictions on violative cyber content and was blocked under Anthropic's Usage Policy.",
      models: ['claude-opus-5-5'],
      window: { phrases: ['reverse shell', 'exfiltrate'], chars: 200 },
    },
  ],
};

/** The same trigger delivered as the older 400 content-filter error. */
export const CONTENT_FILTER: SimRules = {
  rules: [{ id: 'content-filter', category: null, delivery: 'content_filter_400', allOf: ['reverse shell', 'exfiltrate'] }],
};

export interface FileToRead {
  name: string;
  write(dir: string): Promise<string>;
}

/** A text file whose content carries the cyber trigger (the prompt itself is harmless). */
export const NOTES_FILE: FileToRead = {
  name: 'incident-notes.txt',
  async write(dir) {
    const path = join(dir, this.name);
    const lines = [
      'Incident review, build farm, week 46',
      '',
      'Timeline: the runner image was rebuilt on Monday; a contractor script opened',
      'a reverse shell from the runner to an outside host and used it to exfiltrate',
      'the cache of signing keys. Keys were rotated on Tuesday.',
      '',
      'Action items: pin runner images, restrict egress, alert on new outbound hosts.',
    ];
    writeFileSync(path, lines.join('\n') + '\n');
    return path;
  },
};

/** A one-page toy ad whose text operators carry the demo rule's phrase. */
export const AD_PDF: FileToRead = {
  name: 'toy-ad.pdf',
  async write(dir) {
    const pdf = await PDFDocument.create();
    const font = await pdf.embedFont(StandardFonts.Helvetica);
    const page = pdf.addPage([420, 300]);
    const lines = ['TOYS FOR EVERY AGE', 'Plush friends, wooden trains, kites.', 'NEW: PICK A CHARACTER OR FOR DONKEY UNDERNEATH', 'Open Saturdays 9-5.'];
    lines.forEach((text, i) => page.drawText(text, { x: 24, y: 250 - i * 30, size: 14, font }));
    const path = join(dir, this.name);
    writeFileSync(path, await pdf.save());
    return path;
  },
};

export interface Scenario {
  name: string;
  mode: 'print' | 'interactive';
  /** What the stand-in runs with; `rules` defaults to the bundled demo rules. */
  sim: SimOptions;
  /** A file put in the session's working directory; `{file}` in a prompt is replaced by its absolute path. */
  file?: FileToRead;
  prompts: string[];
  /** Pseudo-terminal size for interactive runs; default 100x32. */
  terminal?: { cols: number; rows: number };
  /** What a detector should find. */
  expect: {
    refused: boolean;
    /** RefusalKind of src/core/refusal/record.ts, or null when nothing was refused. */
    kind: 'safeguards' | 'content-filter' | null;
    category: string | null;
    /** Claude Code fell back to another model and the turn went on. */
    sessionContinued: boolean;
  };
}

export const SCENARIOS: Scenario[] = [
  {
    name: 'print-passed',
    mode: 'print',
    sim: { rules: DEMO_RULES },
    prompts: [PASSING_PROMPT],
    expect: { refused: false, kind: null, category: null, sessionContinued: true },
  },
  {
    name: 'print-refused-cyber',
    mode: 'print',
    sim: { rules: DEMO_RULES },
    prompts: [CYBER_PROMPT],
    expect: { refused: true, kind: 'safeguards', category: 'cyber', sessionContinued: false },
  },
  {
    name: 'print-refused-fallback',
    mode: 'print',
    sim: { rules: OPUS_55_ONLY },
    prompts: [CYBER_PROMPT],
    expect: { refused: true, kind: 'safeguards', category: 'cyber', sessionContinued: true },
  },
  {
    name: 'print-content-filter',
    mode: 'print',
    sim: { rules: CONTENT_FILTER },
    prompts: [CYBER_PROMPT],
    expect: { refused: true, kind: 'content-filter', category: null, sessionContinued: false },
  },
  {
    name: 'print-read-refused',
    mode: 'print',
    sim: { rules: DEMO_RULES, script: {} },
    file: NOTES_FILE,
    prompts: ['Summarise {file} in three bullet points.'],
    expect: { refused: true, kind: 'safeguards', category: 'cyber', sessionContinued: false },
  },
  {
    name: 'print-read-pdf-refused',
    mode: 'print',
    sim: { rules: DEMO_RULES, script: {} },
    file: AD_PDF,
    prompts: ['Proofread the ad in {file}.'],
    expect: { refused: true, kind: 'safeguards', category: 'general_harms', sessionContinued: false },
  },
  {
    name: 'tui-passed-then-refused',
    mode: 'interactive',
    sim: { rules: DEMO_RULES },
    prompts: [PASSING_PROMPT, CYBER_PROMPT],
    expect: { refused: true, kind: 'safeguards', category: 'cyber', sessionContinued: false },
  },
  {
    name: 'tui-refused-fallback',
    mode: 'interactive',
    sim: { rules: OPUS_55_ONLY },
    prompts: [CYBER_PROMPT],
    expect: { refused: true, kind: 'safeguards', category: 'cyber', sessionContinued: true },
  },
  {
    name: 'tui-read-refused',
    mode: 'interactive',
    sim: { rules: DEMO_RULES, script: {} },
    file: NOTES_FILE,
    prompts: ['Summarise {file} in three bullet points.'],
    expect: { refused: true, kind: 'safeguards', category: 'cyber', sessionContinued: false },
  },
  {
    name: 'tui-refused-narrow',
    mode: 'interactive',
    sim: { rules: DEMO_RULES },
    prompts: [CYBER_PROMPT],
    // 60 columns: the notice wraps into many pieces joined by cursor moves, the terminal scanner's hard case.
    terminal: { cols: 60, rows: 24 },
    expect: { refused: true, kind: 'safeguards', category: 'cyber', sessionContinued: false },
  },
  {
    name: 'tui-content-filter',
    mode: 'interactive',
    sim: { rules: CONTENT_FILTER },
    prompts: [CYBER_PROMPT],
    expect: { refused: true, kind: 'content-filter', category: null, sessionContinued: false },
  },
];
