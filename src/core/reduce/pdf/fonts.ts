/**
 * What a PDF font says about its glyph codes: how many bytes a code takes (the codespace), the text a code stands for
 * (ToUnicode CMap, else the simple font's encoding and glyph names), and its advance width (Widths / W), which a
 * dropped glyph leaves behind as a TJ offset so the glyphs after it do not move.
 *
 * Read with pdf-lib objects and the content tokenizer: a ToUnicode CMap is PostScript-like tokens (bfchar/bfrange),
 * which the same tokenizer as the page content reads. pdfjs-dist maps codes the same way but only inside its worker,
 * as rendering state, with no hook from a font resource to its map; this is the part of it the reducer needs.
 */
import { PDFArray, PDFDict, PDFName, PDFNumber, PDFStream, type PDFObject } from '@cantoo/pdf-lib';
import { decodeStream, latin1, tokenize } from './syntax';

export interface FontInfo {
  /** Bytes in the code that starts at `at`. */
  codeLength(bytes: number[], at: number): number;
  /** The text of one code, as a reader (pdftotext) shows it. */
  unicode(code: number, length: number): string;
  /** Advance width in glyph space thousandths (text space units x 1000). */
  width(code: number): number;
}

interface Range {
  low: number;
  high: number;
  length: number;
}

/** Codespace ranges of a CMap stream (Type0 encodings). */
function codespace(toks: ReturnType<typeof tokenize>): Range[] {
  const out: Range[] = [];
  for (let i = 0; i < toks.length; i++) {
    if (toks[i]!.raw !== 'begincodespacerange') continue;
    for (i++; i + 1 < toks.length && toks[i]!.raw !== 'endcodespacerange'; i += 2) {
      const lo = toks[i]!;
      const hi = toks[i + 1]!;
      if (lo.t === 'str' && hi.t === 'str') out.push({ low: num(lo.bytes), high: num(hi.bytes), length: lo.bytes.length });
    }
  }
  return out;
}

const num = (bytes: number[]): number => bytes.reduce((n, b) => n * 256 + b, 0);

function utf16be(bytes: number[]): string {
  let s = '';
  for (let k = 0; k + 1 < bytes.length; k += 2) s += String.fromCharCode((bytes[k]! << 8) | bytes[k + 1]!);
  if (bytes.length % 2) s += String.fromCharCode(bytes[bytes.length - 1]!);
  return s;
}

/** bfchar and bfrange (offset and array forms) of a ToUnicode CMap. */
export function parseToUnicode(cmap: string): Map<number, string> {
  const toks = tokenize(cmap);
  const map = new Map<number, string>();
  for (let i = 0; i < toks.length; i++) {
    const op = toks[i]!.raw;
    if (op === 'beginbfchar') {
      for (i++; i + 1 < toks.length && toks[i]!.raw !== 'endbfchar'; i += 2) {
        const src = toks[i]!;
        const dst = toks[i + 1]!;
        if (src.t === 'str' && dst.t === 'str') map.set(num(src.bytes), utf16be(dst.bytes));
      }
    } else if (op === 'beginbfrange') {
      for (i++; i < toks.length && toks[i]!.raw !== 'endbfrange'; ) {
        const lo = toks[i]!;
        const hi = toks[i + 1];
        const dst = toks[i + 2];
        if (lo.t !== 'str' || hi?.t !== 'str' || !dst) break;
        const low = num(lo.bytes);
        const high = num(hi.bytes);
        if (dst.t === 'str') {
          // The last byte of the destination counts up across the range.
          const base = dst.bytes.slice();
          for (let c = low; c <= high && c - low < 65536; c++) {
            const d = base.slice();
            d[d.length - 1] = (d[d.length - 1]! + (c - low)) & 0xff;
            map.set(c, utf16be(d));
          }
          i += 3;
        } else if (dst.raw === '[') {
          let j = i + 3;
          for (let c = low; j < toks.length && toks[j]!.raw !== ']'; j++, c++) {
            const t = toks[j]!;
            if (t.t === 'str') map.set(c, utf16be(t.bytes));
          }
          i = j + 1;
        } else break;
      }
    }
  }
  return map;
}

/** WinAnsiEncoding's differences from latin1 (0x80-0x9f). */
const WIN_ANSI: Record<number, string> = {
  0x80: '€', 0x82: '‚', 0x83: 'ƒ', 0x84: '„', 0x85: '…', 0x86: '†', 0x87: '‡', 0x88: 'ˆ', 0x89: '‰', 0x8a: 'Š',
  0x8b: '‹', 0x8c: 'Œ', 0x8e: 'Ž', 0x91: '‘', 0x92: '’', 0x93: '“', 0x94: '”', 0x95: '•', 0x96: '–', 0x97: '—',
  0x98: '˜', 0x99: '™', 0x9a: 'š', 0x9b: '›', 0x9c: 'œ', 0x9e: 'ž', 0x9f: 'Ÿ',
};

/** Glyph names of Latin text that are not their own character (the Adobe Glyph List's common part). */
const GLYPH_NAMES: Record<string, string> = {
  space: ' ', exclam: '!', quotedbl: '"', numbersign: '#', dollar: '$', percent: '%', ampersand: '&', quotesingle: "'",
  quoteright: '’', quoteleft: '‘', parenleft: '(', parenright: ')', asterisk: '*', plus: '+', comma: ',', hyphen: '-',
  period: '.', slash: '/', zero: '0', one: '1', two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7',
  eight: '8', nine: '9', colon: ':', semicolon: ';', less: '<', equal: '=', greater: '>', question: '?', at: '@',
  bracketleft: '[', backslash: '\\', bracketright: ']', asciicircum: '^', underscore: '_', grave: '`', braceleft: '{',
  bar: '|', braceright: '}', asciitilde: '~', endash: '–', emdash: '—', quotedblleft: '“', quotedblright: '”',
  quotesinglbase: '‚', quotedblbase: '„', bullet: '•', ellipsis: '…', dotlessi: 'ı', fi: 'fi', fl: 'fl', ff: 'ff',
  ffi: 'ffi', ffl: 'ffl', dieresis: '¨', acute: '´', cedilla: '¸', circumflex: 'ˆ', tilde: '˜', nbspace: '\u00a0',
  minus: '−', multiply: '×', divide: '÷', degree: '°', copyright: '©', registered: '®', trademark: '™',
  section: '§', paragraph: '¶', dagger: '†', daggerdbl: '‡', germandbls: 'ß', ae: 'æ', AE: 'Æ', oe: 'œ', OE: 'Œ',
  oslash: 'ø', Oslash: 'Ø', exclamdown: '¡', questiondown: '¿', guillemotleft: '«', guillemotright: '»',
};
const ACCENTS: Record<string, string> = {
  acute: '\u0301', grave: '\u0300', circumflex: '\u0302', dieresis: '\u0308', tilde: '\u0303', ring: '\u030a', cedilla: '\u0327', caron: '\u030c',
};

export function glyphNameText(name: string): string | undefined {
  if (name.length === 1) return name;
  if (name in GLYPH_NAMES) return GLYPH_NAMES[name];
  let m = /^uni([0-9A-Fa-f]{4})+$/.exec(name);
  if (m) return utf16be([...name.slice(3).matchAll(/../g)].map((x) => parseInt(x[0], 16)));
  m = /^u([0-9A-Fa-f]{4,6})$/.exec(name);
  if (m) return String.fromCodePoint(parseInt(m[1]!, 16));
  m = /^([A-Za-z])(acute|grave|circumflex|dieresis|tilde|ring|cedilla|caron)$/.exec(name);
  if (m) return (m[1]! + ACCENTS[m[2]!]!).normalize('NFC');
  const base = name.split('.')[0]!;
  return base !== name ? glyphNameText(base) : undefined;
}

const asNumber = (o: PDFObject | undefined): number | undefined => (o instanceof PDFNumber ? o.asNumber() : undefined);

/** The font information of a font dictionary (cached per dictionary by the caller). */
export function fontInfo(font: PDFDict): FontInfo {
  const subtype = String(font.lookup(PDFName.of('Subtype')) ?? '');
  const toUnicodeObj = font.lookup(PDFName.of('ToUnicode'));
  let toUnicode: Map<number, string> | undefined;
  if (toUnicodeObj instanceof PDFStream) {
    const data = decodeStream(toUnicodeObj);
    if (data) toUnicode = parseToUnicode(latin1(data));
  }

  if (subtype === '/Type0') {
    const enc = font.lookup(PDFName.of('Encoding'));
    let ranges: Range[] = [];
    if (enc instanceof PDFStream) {
      const data = decodeStream(enc);
      if (data) ranges = codespace(tokenize(latin1(data)));
    }
    const descendants = font.lookup(PDFName.of('DescendantFonts'));
    const cid = descendants instanceof PDFArray ? descendants.lookup(0) : undefined;
    const widths = new Map<number, number>();
    let dw = 1000;
    if (cid instanceof PDFDict) {
      dw = asNumber(cid.lookup(PDFName.of('DW'))) ?? 1000;
      const w = cid.lookup(PDFName.of('W'));
      if (w instanceof PDFArray) {
        const a = Array.from({ length: w.size() }, (_, k) => w.lookup(k));
        for (let k = 0; k < a.length; ) {
          const first = asNumber(a[k]);
          const next = a[k + 1];
          if (first === undefined) break;
          if (next instanceof PDFArray) {
            for (let j = 0; j < next.size(); j++) widths.set(first + j, asNumber(next.lookup(j)) ?? dw);
            k += 2;
          } else {
            const last = asNumber(next);
            const width = asNumber(a[k + 2]);
            if (last === undefined || width === undefined) break;
            for (let c = first; c <= last && c - first < 65536; c++) widths.set(c, width);
            k += 3;
          }
        }
      }
    }
    return {
      // Identity-H/V and the predefined UCS-2 CMaps use two bytes; an embedded CMap says so in its codespace.
      codeLength: (bytes, at) => {
        if (!ranges.length) return 2;
        for (let n = 1; n <= 4; n++) {
          if (at + n > bytes.length) break;
          const code = num(bytes.slice(at, at + n));
          if (ranges.some((r) => r.length === n && code >= r.low && code <= r.high)) return n;
        }
        return Math.min(ranges[0]!.length, bytes.length - at);
      },
      unicode: (code) => toUnicode?.get(code) ?? '\ufffd',
      // Identity CMaps: the code is the CID (the usual case for embedded fonts).
      width: (code) => widths.get(code) ?? dw,
    };
  }

  // Simple fonts: one byte per code.
  const names = new Map<number, string>();
  let base: 'win' | 'latin1' = subtype === '/TrueType' || subtype === '/Type1' ? 'win' : 'latin1';
  const enc = font.lookup(PDFName.of('Encoding'));
  const encDict = enc instanceof PDFDict ? enc : undefined;
  const baseName = String(encDict ? (encDict.lookup(PDFName.of('BaseEncoding')) ?? '') : (enc ?? ''));
  if (baseName === '/WinAnsiEncoding') base = 'win';
  const diffs = encDict?.lookup(PDFName.of('Differences'));
  if (diffs instanceof PDFArray) {
    let code = 0;
    for (let k = 0; k < diffs.size(); k++) {
      const v = diffs.lookup(k);
      if (v instanceof PDFNumber) code = v.asNumber();
      else if (v instanceof PDFName) names.set(code++, v.decodeText());
    }
  }
  // An embedded Type1 program states its built-in encoding in clear text (pdflatex's fonts carry no /Encoding).
  if (!encDict && !enc) {
    const desc = font.lookup(PDFName.of('FontDescriptor'));
    const file = desc instanceof PDFDict ? desc.lookup(PDFName.of('FontFile')) : undefined;
    if (file instanceof PDFStream) {
      const data = decodeStream(file);
      const length1 = asNumber(file.dict.lookup(PDFName.of('Length1')));
      if (data) {
        const clear = latin1(data.subarray(0, length1 ?? Math.min(data.length, 65536)));
        for (const m of clear.matchAll(/dup\s+(\d+)\s*\/([^\s/]+)\s+put/g)) names.set(Number(m[1]), m[2]!);
      }
    }
  }
  const firstChar = asNumber(font.lookup(PDFName.of('FirstChar'))) ?? 0;
  const widthsObj = font.lookup(PDFName.of('Widths'));
  const widths = widthsObj instanceof PDFArray ? Array.from({ length: widthsObj.size() }, (_, k) => asNumber(widthsObj.lookup(k)) ?? 0) : [];
  const desc = font.lookup(PDFName.of('FontDescriptor'));
  const missing = (desc instanceof PDFDict ? asNumber(desc.lookup(PDFName.of('MissingWidth'))) : undefined) ?? 0;
  // Type3 glyph space is the FontMatrix's, not thousandths of an em.
  const matrix = font.lookup(PDFName.of('FontMatrix'));
  const scale = subtype === '/Type3' && matrix instanceof PDFArray ? (asNumber(matrix.lookup(0)) ?? 0.001) * 1000 : 1;
  return {
    codeLength: () => 1,
    unicode: (code) => {
      const mapped = toUnicode?.get(code);
      if (mapped !== undefined) return mapped;
      const name = names.get(code);
      const byName = name ? glyphNameText(name) : undefined;
      if (byName !== undefined) return byName;
      if (base === 'win' && WIN_ANSI[code]) return WIN_ANSI[code]!;
      return code < 32 || (code >= 0x7f && code < 0xa0) ? '\ufffd' : String.fromCharCode(code);
    },
    width: (code) => {
      const w = code >= firstChar && code - firstChar < widths.length ? widths[code - firstChar]! : widths.length ? missing : 500;
      return w * scale;
    },
  };
}
