/**
 * PDFs made at test time by the programs people make them with (Debian packages, installed by
 * scripts/setup-pdf-tools.sh): Chromium, LibreOffice (odt, docx, html), pdflatex, lualatex, Ghostscript, cairo,
 * MuPDF, qpdf (object streams, linearized, encrypted with an empty user password, overlay), pdftk (stamp,
 * background) and a PDF placed with \includegraphics. Every file holds the same text: filler paragraphs, a phrase
 * ("pipe bomb") and two words close together ("character" ... "donkey").
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const PHRASE = 'pipe bomb';
/** The sentence with the two words of the non-monotone rule. */
export const PAIR_SENTENCE = 'The character rode or walked beside a donkey underneath the old bridge.';

const FILLER = [
  'The quarterly garden report covers the river stone path and the quiet window boxes.',
  'Orange lamps were hung along the market street before the winter signal was given.',
  'A copper kettle and a silver candle stood on the table near the harbor station.',
  'Morning rhythm at the museum is slow; the ladder by the planet mural is still there.',
];

export const PARAGRAPHS = [FILLER[0]!, `Safety notes: never build a ${PHRASE} at home, said the sign.`, FILLER[1]!, PAIR_SENTENCE, FILLER[2]!, FILLER[3]!];

/** Tools the suite needs, by command. */
export const TOOLS = ['pdftotext', 'pdftocairo', 'qpdf', 'gs', 'mutool', 'pdftk', 'pdflatex', 'lualatex', 'soffice', 'chromium'];
/** The fast subset's tools (scripts/setup-pdf-tools.sh --minimal): Ghostscript, qpdf, poppler-utils. */
export const MINIMAL_TOOLS = ['pdftotext', 'qpdf', 'gs'];
/** The fast subset: made by Ghostscript and qpdf alone (a font, encryption, a Form XObject overlay, object streams). */
export const FAST_SUBSET = ['ghostscript-ps', 'gs-qpdf-aes256', 'gs-qpdf-overlay'];

export async function missingTools(tools: string[] = TOOLS): Promise<string[]> {
  const missing: string[] = [];
  for (const t of tools) {
    try {
      await run('sh', ['-c', `command -v ${t}`]);
    } catch {
      missing.push(t);
    }
  }
  return missing;
}

export interface Produced {
  name: string;
  producer: string;
  path: string;
}

const html = `<!doctype html><html><head><meta charset="utf-8"><title>Report</title>
<style>body{font-family:'DejaVu Sans',sans-serif;font-size:12pt}</style></head><body>
${PARAGRAPHS.map((p) => `<p>${p}</p>`).join('\n')}
</body></html>
`;

const tex = (body: string) => `\\documentclass{article}
\\usepackage[T1]{fontenc}
\\usepackage{graphicx}
\\pagestyle{empty}
\\begin{document}
${body}
\\end{document}
`;

const texBody = PARAGRAPHS.join('\n\n');

/** A producer: a name and how it makes `out` in `dir` (from files made earlier). */
type Step = { name: string; producer: string; make: (dir: string, out: string) => Promise<void>; needs?: string };

const soffice = async (dir: string, src: string, to: string) => {
  // A private profile per call: LibreOffice refuses to run twice on one profile.
  await run('soffice', [`-env:UserInstallation=file://${join(dir, `lo-profile-${to.replace(/\W/g, '')}`)}`, '--headless', '--convert-to', to, '--outdir', dir, join(dir, src)], { timeout: 180_000 });
};

/** PostScript that shows the paragraphs in Helvetica, one line each (Ghostscript embeds the font it substitutes). */
const postscript = `%!PS
/Helvetica findfont 10 scalefont setfont
${PARAGRAPHS.map((p, i) => `72 ${720 - i * 16} moveto (${p.replace(/[()\\]/g, (c) => `\\${c}`)}) show`).join('\n')}
showpage
`;

const STEPS: Step[] = [
  {
    name: 'ghostscript-ps',
    producer: 'Ghostscript pdfwrite from PostScript',
    make: async (dir, out) => {
      await run('gs', ['-q', '-dBATCH', '-dNOPAUSE', '-dSAFER', '-sDEVICE=pdfwrite', `-sOutputFile=${out}`, join(dir, 'doc.ps')], { timeout: 120_000 });
    },
  },
  {
    name: 'gs-qpdf-aes256',
    producer: 'qpdf AES-256, empty user password (from Ghostscript)',
    needs: 'ghostscript-ps',
    make: async (dir, out) => {
      await qpdf(['--encrypt', '', 'owner', '256', '--', join(dir, 'ghostscript-ps.pdf'), out]);
    },
  },
  {
    name: 'gs-qpdf-overlay',
    producer: 'qpdf --overlay with object streams (Ghostscript text over an empty page)',
    needs: 'ghostscript-ps',
    make: async (dir, out) => {
      await qpdf(['--empty', '--pages', join(dir, 'ghostscript-ps.pdf'), '--', join(dir, 'empty-page.pdf')]);
      await qpdf(['--object-streams=generate', join(dir, 'empty-page.pdf'), '--overlay', join(dir, 'ghostscript-ps.pdf'), '--', out]);
    },
  },
  {
    name: 'chromium',
    producer: 'Chromium print-to-pdf',
    make: async (dir, out) => {
      await run('chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--no-pdf-header-footer', `--print-to-pdf=${out}`, `file://${join(dir, 'doc.html')}`], { timeout: 120_000 });
    },
  },
  {
    name: 'libreoffice-html',
    producer: 'LibreOffice Writer from HTML',
    make: async (dir, out) => {
      await soffice(dir, 'doc.html', 'pdf:writer_web_pdf_Export');
      await run('mv', [join(dir, 'doc.pdf'), out]);
    },
  },
  {
    name: 'libreoffice-odt',
    producer: 'LibreOffice Writer from ODT',
    make: async (dir, out) => {
      await soffice(dir, 'doc.html', 'odt:writer8');
      await run('mv', [join(dir, 'doc.odt'), join(dir, 'doc-odt.odt')]);
      await soffice(dir, 'doc-odt.odt', 'pdf:writer_pdf_Export');
      await run('mv', [join(dir, 'doc-odt.pdf'), out]);
    },
  },
  {
    name: 'libreoffice-docx',
    producer: 'LibreOffice Writer from DOCX',
    make: async (dir, out) => {
      await soffice(dir, 'doc.html', 'docx:MS Word 2007 XML');
      await run('mv', [join(dir, 'doc.docx'), join(dir, 'doc-docx.docx')]);
      await soffice(dir, 'doc-docx.docx', 'pdf:writer_pdf_Export');
      await run('mv', [join(dir, 'doc-docx.pdf'), out]);
    },
  },
  {
    name: 'pdflatex',
    producer: 'pdflatex',
    make: async (dir, out) => {
      await run('pdflatex', ['-interaction=batchmode', '-jobname=pdflatex', 'doc.tex'], { cwd: dir, timeout: 120_000 });
    },
  },
  {
    name: 'lualatex',
    producer: 'lualatex',
    make: async (dir, out) => {
      await run('lualatex', ['-interaction=batchmode', '-jobname=lualatex', 'doc-lua.tex'], { cwd: dir, timeout: 180_000 });
    },
  },
  {
    name: 'ghostscript',
    producer: 'Ghostscript pdfwrite (from pdflatex)',
    needs: 'pdflatex',
    make: async (dir, out) => {
      await run('gs', ['-q', '-dBATCH', '-dNOPAUSE', '-dSAFER', '-sDEVICE=pdfwrite', `-sOutputFile=${out}`, join(dir, 'pdflatex.pdf')], { timeout: 120_000 });
    },
  },
  {
    name: 'cairo',
    // From Chromium's TrueType text: cairo turns pdflatex's Type1 fonts into Type3 fonts whose ToUnicode maps every
    // glyph to U+FFFD, a file whose text no reader (pdftotext included) can see.
    producer: 'cairo (pdftocairo, from Chromium)',
    needs: 'chromium',
    make: async (dir, out) => {
      await run('pdftocairo', ['-pdf', join(dir, 'chromium.pdf'), out]);
    },
  },
  {
    name: 'mupdf',
    producer: 'MuPDF (mutool convert, from HTML)',
    make: async (dir, out) => {
      await run('mutool', ['convert', '-o', out, join(dir, 'doc.xhtml')], { timeout: 120_000 });
    },
  },
  {
    name: 'qpdf-objstm',
    producer: 'qpdf --object-streams=generate (from LibreOffice)',
    needs: 'libreoffice-odt',
    make: async (dir, out) => {
      await qpdf(['--object-streams=generate', join(dir, 'libreoffice-odt.pdf'), out]);
    },
  },
  {
    name: 'qpdf-linearized',
    producer: 'qpdf --linearize (from Chromium)',
    needs: 'chromium',
    make: async (dir, out) => {
      await qpdf(['--linearize', join(dir, 'chromium.pdf'), out]);
    },
  },
  {
    name: 'qpdf-aes256',
    producer: 'qpdf AES-256, empty user password (from pdflatex)',
    needs: 'pdflatex',
    make: async (dir, out) => {
      await qpdf(['--encrypt', '', 'owner', '256', '--', join(dir, 'pdflatex.pdf'), out]);
    },
  },
  {
    name: 'qpdf-rc4',
    producer: 'qpdf RC4-128, empty user password (from LibreOffice)',
    needs: 'libreoffice-odt',
    make: async (dir, out) => {
      await qpdf(['--allow-weak-crypto', '--encrypt', '', 'owner', '128', '--use-aes=n', '--', join(dir, 'libreoffice-odt.pdf'), out]);
    },
  },
  {
    name: 'qpdf-overlay',
    producer: 'qpdf --overlay (pdflatex text over a blank page)',
    needs: 'pdflatex',
    make: async (dir, out) => {
      await qpdf([join(dir, 'blank.pdf'), '--overlay', join(dir, 'pdflatex.pdf'), '--', out]);
    },
  },
  {
    name: 'pdftk-stamp',
    producer: 'pdftk stamp (pdflatex text stamped on a blank page)',
    needs: 'pdflatex',
    make: async (dir, out) => {
      await run('pdftk', [join(dir, 'blank.pdf'), 'stamp', join(dir, 'pdflatex.pdf'), 'output', out], { timeout: 120_000 });
    },
  },
  {
    name: 'pdftk-background',
    producer: 'pdftk background (blank page over pdflatex text)',
    needs: 'pdflatex',
    make: async (dir, out) => {
      await run('pdftk', [join(dir, 'blank.pdf'), 'background', join(dir, 'pdflatex.pdf'), 'output', out], { timeout: 120_000 });
    },
  },
  {
    name: 'includegraphics',
    producer: 'pdflatex \\includegraphics of a pdflatex PDF',
    needs: 'pdflatex',
    make: async (dir, out) => {
      await run('pdflatex', ['-interaction=batchmode', '-jobname=included', 'include.tex'], { cwd: dir, timeout: 120_000 });
      await run('mv', [join(dir, 'included.pdf'), out]);
    },
  },
];

/** qpdf exits 3 on warnings with a usable output. */
async function qpdf(args: string[]): Promise<void> {
  try {
    await run('qpdf', args);
  } catch (error) {
    if ((error as { code?: number }).code !== 3) throw error;
  }
}

/** Makes every producer's PDF in `dir` (or only those named); returns the ones made and the failures. */
export async function producePdfs(dir: string, only?: string[]): Promise<{ made: Produced[]; failed: { name: string; error: string }[] }> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'doc.html'), html);
  await writeFile(join(dir, 'doc.ps'), postscript);
  await writeFile(join(dir, 'doc.xhtml'), html.replace('<!doctype html><html>', '<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml">'));
  await writeFile(join(dir, 'doc.tex'), tex(texBody));
  // LuaLaTeX's default text fonts (TU encoding): Latin Modern OpenType, written as Identity-H CID fonts.
  await writeFile(join(dir, 'doc-lua.tex'), tex(texBody).replace('\\usepackage[T1]{fontenc}\n', ''));
  await writeFile(join(dir, 'include.tex'), tex('\\noindent\\includegraphics[width=\\textwidth]{pdflatex.pdf}'));
  await writeFile(join(dir, 'blank.tex'), tex('\\null'));
  const made: Produced[] = [];
  const failed: { name: string; error: string }[] = [];
  const want = new Set(only ?? STEPS.map((s) => s.name));
  // Dependencies of what is wanted are made too (not bisected unless wanted).
  for (const s of STEPS) if (want.has(s.name) && s.needs) want.add(s.needs);
  if ([...want].some((n) => /overlay|stamp|background/.test(n))) {
    await run('pdflatex', ['-interaction=batchmode', '-jobname=blank', 'blank.tex'], { cwd: dir, timeout: 120_000 }).catch(() => undefined);
  }
  for (const step of STEPS) {
    if (!want.has(step.name)) continue;
    const out = join(dir, `${step.name}.pdf`);
    try {
      await step.make(dir, out);
      await readFile(out);
      if (!only || only.includes(step.name)) made.push({ name: step.name, producer: step.producer, path: out });
    } catch (error) {
      failed.push({ name: step.name, error: ((error as Error).message ?? String(error)).split('\n')[0]!.slice(0, 200) });
    }
  }
  return { made, failed };
}

export const PRODUCERS = STEPS.map((s) => s.name);
