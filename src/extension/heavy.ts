/**
 * Everything the extension needs only once it has work to do: the reducer and oracles, the report and GitHub
 * client, transcript parsing and the terminal emulator. esbuild bundles this file on its own
 * (dist/extension-heavy.js), so activating the extension parses a small bundle; loadHeavy() brings this in later.
 */
export { runBisectFlow, showSavedResult } from './bisect/flow';
export { runMakeItPassFlow } from './unblock/flow';
export { runMeasureModelsFlow } from './bisect/measureFlow';
export { openDraft } from './draft/flow';
export { showLedgerView } from './ledger/panel';
export { resolveProjectsDir } from '../core/transcript/locate';
export { TranscriptTailer } from '../core/transcript/tail';
export { scanProjects } from '../core/transcript/scan';
export { TerminalRefusalScanner } from '../core/refusal/terminal';
export { defaultCacheDir } from '../core/probe/cache';
