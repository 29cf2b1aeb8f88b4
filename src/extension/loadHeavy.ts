/**
 * Loads src/extension/heavy.ts: from its own bundle next to dist/extension.js when running bundled, from source
 * otherwise (unit tests). The paths are computed so esbuild leaves them alone instead of inlining heavy.ts.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';

export type Heavy = typeof import('./heavy');

let loaded: Promise<Heavy> | undefined;

export function loadHeavy(): Promise<Heavy> {
  loaded ??= (async () => {
    const bundled = path.join(__dirname, 'extension-heavy.js');
    if (existsSync(bundled)) return require(bundled) as Heavy;
    const source = './heavy';
    return (await import(source)) as Heavy;
  })();
  return loaded;
}
