import { describe, expect, it, vi } from 'vitest';
vi.mock('../../../../src/extension/vscodeapi', () => import('../support/fakeVscodeApi'));
import { argParsers, refusalOf, resultIdOf } from '../../../../src/extension/commands/args';
import { RefusalStore, type SeenRefusal } from '../../../../src/extension/store';
import { Uri } from '../support/fakeVscodeApi';
import { refusalRecord } from '../fixtures';

const refusal: SeenRefusal = { key: 'sess1-u42', at: 0, record: refusalRecord(), live: true };

describe('command arguments', () => {
  it('takes what each command declares: a tagged reference or a tree item', () => {
    expect(argParsers['aupBisect.bisectRefusal']([{ refusalKey: 'sess1-u42' }])).toEqual([{ refusalKey: 'sess1-u42' }]);
    expect(argParsers['aupBisect.bisectRefusal']([{ type: 'refusal', refusal }])).toEqual([{ type: 'refusal', refusal }]);
    expect(argParsers['aupBisect.draftIssue']([{ resultId: 'r1' }])).toEqual([{ resultId: 'r1' }]);
    expect(argParsers['aupBisect.openResult']([{ refusalKey: 'sess1-u42' }])).toEqual([]);
  });

  it('treats a bare string as no argument instead of guessing whether it is a key, a record id or a result id', () => {
    expect(argParsers['aupBisect.bisectRefusal'](['sess1-u42'])).toEqual([]);
    expect(argParsers['aupBisect.draftIssue'](['2026-11-22T12-00-00-000Z-ffffffff'])).toEqual([]);
    expect(argParsers['aupBisect.showDetails']([{ type: 'day', day: '2026-11-22' }])).toEqual([]);
  });

  it('takes the models to measure a result on only as a list of ids; anything else leaves the choice to the user', () => {
    const parse = argParsers['aupBisect.measureModels'];
    expect(parse([{ resultId: 'r1', models: ['claude-opus-5-5', 'claude-opus-4-8'] }])).toEqual([{ resultId: 'r1', models: ['claude-opus-5-5', 'claude-opus-4-8'] }]);
    expect(parse([{ resultId: 'r1', models: [] }])).toEqual([{ resultId: 'r1', models: [] }]);
    expect(parse([{ resultId: 'r1', models: 'claude-opus-5-5' }])).toEqual([{ resultId: 'r1' }]);
    expect(parse([{ resultId: 'r1', models: [1] }])).toEqual([{ resultId: 'r1' }]);
    expect(parse(['r1'])).toEqual([]);
  });

  it('takes a file URI from the explorer, and the key itself for Set API Key', () => {
    const file = Uri.file('/work/notes.md');
    expect(argParsers['aupBisect.bisectFile']([file])).toEqual([file]);
    expect(argParsers['aupBisect.bisectFile'](['/work/notes.md'])).toEqual([]);
    expect(argParsers['aupBisect.setApiKey'](['sk-ant-xyz'])).toEqual(['sk-ant-xyz']);
  });

  it('resolves a target to the refusal or the result it names', () => {
    const store = new RefusalStore();
    store.upsert(refusal);
    expect(refusalOf(store, { refusalKey: 'sess1-u42' })).toBe(store.get('sess1-u42'));
    expect(refusalOf(store, { refusalKey: 'gone' })).toBeUndefined();
    expect(refusalOf(store, { type: 'detail', refusal })).toBe(refusal);
    expect(resultIdOf({ resultId: 'r1' })).toBe('r1');
    expect(resultIdOf({ refusalKey: 'sess1-u42' })).toBeUndefined();
  });
});

describe('Make It Pass arguments', () => {
  it('takes a saved result by id or a result node of the Refusals view, and nothing else', () => {
    expect(argParsers['aupBisect.makeItPass']([{ resultId: 'r1' }])).toEqual([{ resultId: 'r1' }]);
    const node = { type: 'result', result: { id: 'r1' } };
    expect(argParsers['aupBisect.makeItPass']([node])).toEqual([node]);
    expect(argParsers['aupBisect.makeItPass'](['r1'])).toEqual([]);
  });
});
