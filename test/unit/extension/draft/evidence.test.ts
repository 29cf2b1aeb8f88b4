import { beforeEach, describe, expect, it, vi } from 'vitest';
vi.mock('../../../../src/extension/vscodeapi', () => import('../support/fakeVscodeApi'));
import type { ModelsEvidence } from '../../../../src/core/bisect/evidence';
import { openDraft } from '../../../../src/extension/draft/flow';
import { readSettings } from '../../../../src/extension/settings';
import { reset, Uri } from '../support/fakeVscodeApi';
import { bisectResult } from '../fixtures';

const rate = (refused: number, ids: string[]) => ({ refused, passed: ids.length - refused, errors: 0, k: ids.length, requestIds: ids, cached: 0 });
const evidence: ModelsEvidence = {
  k: 2,
  form: 'message',
  models: [
    { model: 'claude-opus-5-5', role: 'refusing', trigger: rate(2, ['req_011A1', 'req_011A2']), control: rate(0, ['req_011C1', 'req_011C2']) },
    { model: 'claude-opus-4-8', role: 'previous', trigger: rate(0, ['req_011B1', 'req_011B2']), control: rate(0, ['req_011D1', 'req_011D2']) },
  ],
  notes: [],
  regression: { answer: 'yes', sentence: 'refused 2/2 on Opus 5.5 (`claude-opus-5-5`), 0/2 on Opus 4.8 (`claude-opus-4-8`) with the same 17 characters' },
};

const deps = {
  context: { extension: { packageJSON: { version: '9.9.9' } }, extensionUri: Uri.file('/ext'), globalStorageUri: Uri.file('/tmp/aup-bisect-flow-test') } as never,
  settings: readSettings,
  githubSession: async () => undefined,
};

describe('the draft view of a result with rates across models', () => {
  beforeEach(reset);

  it('shows the table with its request ids and the regression answer in the body it renders', async () => {
    const panel = await openDraft(deps, { result: bisectResult({ model: 'claude-opus-5-5', evidence }) });
    expect(panel.current.body).toContain('| Opus 5.5 (`claude-opus-5-5`) | refused 2/2 | refused 0/2 | trigger: `req_011A1` `req_011A2`; control: `req_011C1` `req_011C2` |');
    expect(panel.current.body).toContain('| Opus 4.8 (`claude-opus-4-8`) | refused 0/2 | refused 0/2 |');
    expect(panel.current.body).toContain('### Is this a regression?\n\nYes, across models: refused 2/2 on Opus 5.5');
  });
});
