/**
 * Unit splitters: where a text may be cut at each granularity, coarse to fine.
 * Every splitter returns sorted cut offsets (UTF-16) over the text, always including 0 and text.length, and never
 * inside a surrogate pair, so any union of units is valid text. Units are the spans between consecutive cuts.
 */

export type TextFlavor = 'prose' | 'json' | 'code';

export interface TextLevel {
  name: string;
  cuts(text: string): number[];
}

function finish(cuts: number[], length: number): number[] {
  cuts.push(0, length);
  cuts.sort((a, b) => a - b);
  const out: number[] = [];
  for (const c of cuts) if (out.length === 0 || out[out.length - 1] !== c) out.push(c);
  return out;
}

/** Paragraphs: a cut after every run of blank lines. */
export function paragraphCuts(text: string): number[] {
  const cuts: number[] = [];
  const re = /\n[ \t]*\n(?:[ \t]*\n)*/g;
  for (let m = re.exec(text); m; m = re.exec(text)) cuts.push(m.index + m[0].length);
  return finish(cuts, text.length);
}

/** Lines: a cut after every newline (the newline stays with its line). */
export function lineCuts(text: string): number[] {
  const cuts: number[] = [];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) cuts.push(i + 1);
  return finish(cuts, text.length);
}

const segmenters = new Map<string, Intl.Segmenter>();
function segmenter(granularity: 'sentence' | 'word' | 'grapheme'): Intl.Segmenter {
  let s = segmenters.get(granularity);
  if (!s) {
    // The root locale: ICU's dictionaries still split CJK into words and Cyrillic by its own rules.
    s = new Intl.Segmenter(undefined, { granularity });
    segmenters.set(granularity, s);
  }
  return s;
}

function segmentCuts(text: string, granularity: 'sentence' | 'word' | 'grapheme'): number[] {
  const cuts: number[] = [];
  for (const seg of segmenter(granularity).segment(text)) cuts.push(seg.index);
  return finish(cuts, text.length);
}

/**
 * Sentences (Intl.Segmenter, Unicode rules: "。", "!", "?", Cyrillic and Latin alike). Also cut at newlines, which
 * the segmenter would otherwise glue to the next sentence.
 */
export function sentenceCuts(text: string): number[] {
  return mergeCuts(segmentCuts(text, 'sentence'), lineCuts(text));
}

/** Words and the spaces/punctuation between them (Intl.Segmenter: CJK by dictionary, Cyrillic, Latin). */
export function wordCuts(text: string): number[] {
  return segmentCuts(text, 'word');
}

/** Characters: code points (never half a surrogate pair). Graphemes would hide combining marks from the check. */
export function charCuts(text: string): number[] {
  const cuts: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff && i > 0) {
      const p = text.charCodeAt(i - 1);
      if (p >= 0xd800 && p <= 0xdbff) continue;
    }
    cuts.push(i);
  }
  return finish(cuts, text.length);
}

export function mergeCuts(a: number[], b: number[]): number[] {
  return finish([...a, ...b], Math.max(a[a.length - 1] ?? 0, b[b.length - 1] ?? 0));
}

/**
 * JSON members and array elements, one level per nesting depth (depth 1 = the top container's members).
 * A tolerant scanner rather than JSON.parse: candidates stop being valid JSON as soon as something is cut, and the
 * units must still be found. A member's unit takes its trailing comma with it.
 */
export function jsonCutsByDepth(text: string): number[][] {
  const byDepth: number[][] = [];
  const add = (depth: number, at: number) => {
    while (byDepth.length < depth) byDepth.push([]);
    byDepth[depth - 1]!.push(at);
  };
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') {
      depth++;
      add(depth, i + 1);
    } else if (ch === '}' || ch === ']') {
      // The closing bracket belongs to the enclosing member: cut before it at the inner depth.
      add(depth, i);
      depth = Math.max(0, depth - 1);
    } else if (ch === ',' && depth > 0) {
      let j = i + 1;
      while (j < text.length && /\s/.test(text[j]!)) j++;
      add(depth, j);
    }
  }
  // A cut at depth d is also a cut at every finer depth.
  const out: number[][] = [];
  let acc: number[] = [];
  for (const cuts of byDepth) {
    acc = [...acc, ...cuts];
    out.push(finish([...acc], text.length));
  }
  return out;
}

/**
 * Source code blocks: a cut before each line that starts at the outermost indentation and brace depth of the text
 * (functions, classes, top-level statements), then at the next indentation level, and so on (two levels).
 */
export function codeBlockCuts(text: string): number[][] {
  const lines = lineCuts(text);
  const starts: { at: number; indent: number }[] = [];
  for (let k = 0; k + 1 < lines.length; k++) {
    const line = text.slice(lines[k], lines[k + 1]);
    // Blank lines and lines that only close a block ("}", "});") stay with the block before them.
    if (line.trim() === '' || /^[ \t]*[}\])]/.test(line)) continue;
    const indent = /^[ \t]*/.exec(line)![0].replace(/\t/g, '    ').length;
    starts.push({ at: lines[k]!, indent });
  }
  const indents = [...new Set(starts.map((s) => s.indent))].sort((a, b) => a - b);
  return indents.slice(0, 2).map((limit) => finish(starts.filter((s) => s.indent <= limit).map((s) => s.at), text.length));
}

/**
 * Guess the flavour of a text from its file name and content. JSON levels are used only for JSON that parses (JSON
 * Lines: every non-blank line): cut by members, a broken document would be split at brackets inside its strings'
 * prose and give units that mean nothing, so it is cut as prose instead.
 */
export function flavorOf(text: string, fileName?: string, mediaType?: string): TextFlavor {
  const name = (fileName ?? '').toLowerCase();
  if (mediaType?.includes('json') || /\.(json|jsonl|ipynb)$/.test(name)) {
    return parsesAsJson(text, /\.jsonl$/.test(name) || !!mediaType?.includes('jsonl')) ? 'json' : 'prose';
  }
  if (/\.(ts|tsx|js|jsx|mjs|cjs|py|rb|go|rs|java|kt|c|cc|cpp|h|hpp|cs|php|swift|sh|lua|scala)$/.test(name)) return 'code';
  const head = text.trimStart().slice(0, 1);
  if ((head === '{' || head === '[') && parsesAsJson(text, false)) return 'json';
  return 'prose';
}

function parsesAsJson(text: string, lines: boolean): boolean {
  if (text.length >= 20_000_000) return false;
  try {
    if (!lines) JSON.parse(text);
    else for (const line of text.split('\n')) if (line.trim()) JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

/** The levels for a flavour, coarse to fine. Each level's cuts are recomputed on the current (reduced) text. */
export function textLevels(flavor: TextFlavor): TextLevel[] {
  const fine: TextLevel[] = [
    { name: 'lines', cuts: lineCuts },
    { name: 'sentences', cuts: sentenceCuts },
    { name: 'words', cuts: wordCuts },
    { name: 'chars', cuts: charCuts },
  ];
  if (flavor === 'json') {
    return [
      { name: 'json-members', cuts: (t) => jsonCutsByDepth(t)[0] ?? [0, t.length] },
      { name: 'json-values', cuts: (t) => { const d = jsonCutsByDepth(t); return d[d.length - 1] ?? [0, t.length]; } },
      ...fine,
    ];
  }
  if (flavor === 'code') {
    return [
      { name: 'blocks', cuts: (t) => codeBlockCuts(t)[0] ?? [0, t.length] },
      { name: 'inner-blocks', cuts: (t) => codeBlockCuts(t)[1] ?? [0, t.length] },
      { name: 'lines', cuts: lineCuts },
      { name: 'words', cuts: wordCuts },
      { name: 'chars', cuts: charCuts },
    ];
  }
  return [{ name: 'paragraphs', cuts: paragraphCuts }, ...fine];
}
