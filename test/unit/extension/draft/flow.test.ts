import { beforeEach, describe, expect, it, vi } from 'vitest';
vi.mock('../../../../src/extension/vscodeapi', () => import('../support/fakeVscodeApi'));
import { openDraft } from '../../../../src/extension/draft/flow';
import { readSettings } from '../../../../src/extension/settings';
import { reset, Uri } from '../support/fakeVscodeApi';
import { bisectResult } from '../fixtures';

// An npm token: only secretlint's preset knows its format, and that preset runs in the exit gate (draftGated), not
// in draftIssue alone, which is what the view used to be given.
const KEY = `npm_${'a1B2c3D4e5'.repeat(3)}a1B2c3`;
const original = `a\nthe plush donkey underneath ${KEY} ok\nb\n`;
const minimal = `donkey underneath ${KEY}`;
const result = bisectResult({
  minimal,
  parts: [{ index: 0, kind: 'file', fileName: 'n.txt', size: original.length, needed: true, minimal }],
  original: { fileName: 'n.txt', size: original.length, sha256: 'e'.repeat(64) },
  control: undefined,
});

const deps = {
  context: { extension: { packageJSON: { version: '9.9.9' } }, extensionUri: Uri.file('/ext'), globalStorageUri: Uri.file('/tmp/aup-bisect-flow-test') } as never,
  settings: readSettings,
  githubSession: async () => undefined,
};

describe('openDraft', () => {
  beforeEach(reset);

  it('drafts as the CLI does, through the exit gate: a token in the trigger is masked before the view shows it', async () => {
    const panel = await openDraft(deps, { result, original });
    for (const text of [panel.current.title, panel.current.body]) expect(text).not.toContain(KEY.slice(4));
    expect(panel.current.body).toMatch(/donkey underneath \[REDACTED:[\w-]+\]/);
  });
});
