/**
 * The extension's layering, checked on the source: one module talks to `vscode` (so unit tests stub that one),
 * imports go one way (no circle, type imports included), and package.json contributes exactly the commands that
 * commands/ids.ts declares.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Commands } from '../../../src/extension/commands/ids';

const root = path.resolve(__dirname, '../../..');
const extensionDir = path.join(root, 'src/extension');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

/** Every `import ... from 'x'` / `export ... from 'x'` of a file, with whether it is type-only. */
function imports(file: string): { from: string; typeOnly: boolean }[] {
  const text = readFileSync(file, 'utf8');
  const found: { from: string; typeOnly: boolean }[] = [];
  for (const m of text.matchAll(/^(import|export)\s+(type\s+)?[^'";]*?\sfrom\s+'([^']+)'/gms)) found.push({ from: m[3]!, typeOnly: Boolean(m[2]) });
  // Inline type references: `import('./x').T` (a type position, as in loadHeavy.ts).
  for (const m of text.matchAll(/typeof import\('([^']+)'\)/g)) found.push({ from: m[1]!, typeOnly: true });
  return found;
}

const rel = (file: string): string => path.relative(extensionDir, file);

describe('src/extension layering', () => {
  const files = sources(extensionDir);

  it('imports values from vscode in vscodeapi.ts only (everything else imports its types)', () => {
    const offenders = files.filter((f) => rel(f) !== 'vscodeapi.ts' && imports(f).some((i) => i.from === 'vscode' && !i.typeOnly));
    expect(offenders.map(rel)).toEqual([]);
  });

  it('has no import circle, counting type imports', () => {
    const graph = new Map<string, string[]>();
    for (const f of files) {
      const deps = imports(f)
        .filter((i) => i.from.startsWith('.'))
        .map((i) => path.resolve(path.dirname(f), i.from))
        .map((p) => (p.endsWith('.ts') ? p : `${p}.ts`))
        .filter((p) => p.startsWith(extensionDir));
      graph.set(f, deps);
    }
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (node: string, trail: string[]): void => {
      if (state.get(node) === 'done') return;
      if (state.get(node) === 'visiting') {
        cycles.push([...trail.slice(trail.indexOf(node)), node].map(rel).join(' -> '));
        return;
      }
      state.set(node, 'visiting');
      for (const dep of graph.get(node) ?? []) visit(dep, [...trail, node]);
      state.set(node, 'done');
    };
    for (const f of files) visit(f, []);
    expect(cycles).toEqual([]);
  });

  it('keeps the heavy chunk from reaching back into the container or the command handlers', () => {
    const heavy = new Set<string>();
    const walk = (file: string): void => {
      if (heavy.has(file)) return;
      heavy.add(file);
      for (const i of imports(file)) {
        if (!i.from.startsWith('.') || i.typeOnly) continue;
        const p = path.resolve(path.dirname(file), i.from);
        if (p.startsWith(extensionDir)) walk(p.endsWith('.ts') ? p : `${p}.ts`);
      }
    };
    walk(path.join(extensionDir, 'heavy.ts'));
    // ids.ts and run.ts are how a flow hands over to a command: ids only, no handlers.
    const back = [...heavy].map(rel).filter((f) => f === 'container.ts' || (f.startsWith('commands/') && f !== 'commands/ids.ts' && f !== 'commands/run.ts'));
    expect(back).toEqual([]);
  });

  it('contributes in package.json exactly the commands commands/ids.ts declares', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { contributes: { commands: { command: string }[] } };
    expect(pkg.contributes.commands.map((c) => c.command).sort()).toEqual(Object.values(Commands).sort());
  });
});
