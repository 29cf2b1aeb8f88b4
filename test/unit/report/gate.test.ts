import { describe, expect, it } from 'vitest';
import { gateDraft, gateText } from '../../../src/core/report/gate';

describe("the exit gate: the user's marks", () => {
  it('replaces every occurrence of a marked text, in title and body, as user-marked by our rule set', async () => {
    const gated = await gateDraft(
      { title: 'Refused while naming bluefalcon', body: 'Codename bluefalcon.\nAsk the bluefalcon team.\n' },
      { marks: ['bluefalcon'] },
    );
    expect(gated.title).toBe('Refused while naming [REDACTED:user-marked-1]');
    expect(gated.body).toBe('Codename [REDACTED:user-marked-1].\nAsk the [REDACTED:user-marked-1] team.\n');
    expect(gated.redactions.map((r) => [r.field, r.kind, r.ruleSet, r.line])).toEqual([
      ['title', 'user-marked', 'aup-bisect', 1],
      ['body', 'user-marked', 'aup-bisect', 1],
      ['body', 'user-marked', 'aup-bisect', 2],
    ]);
  });

  it('treats a mark as text, not a pattern, and finds it in any letter case', async () => {
    const gated = await gateText('cost: $(4.00) and $(4x00)', { marks: ['$(4.00)'] });
    expect(gated.text).toBe('cost: [REDACTED:user-marked-1] and $(4x00)');
    const named = await gateText('BlueFalcon lives in /srv/bluefalcon/app', { marks: ['BlueFalcon'] });
    expect(named.text).toBe('[REDACTED:user-marked-1] lives in /srv/[REDACTED:user-marked-2]/app');
  });

  it('leaves placeholders alone, so a short mark cannot mangle them (nor the one it just wrote)', async () => {
    const text = 'user dana wrote to [REDACTED:email-1]; user 1 of 1';
    const gated = await gateText(text, { marks: ['user', 'email', '1'] });
    expect(gated.text).toBe(
      '[REDACTED:user-marked-1] dana wrote to [REDACTED:email-1]; [REDACTED:user-marked-1] [REDACTED:user-marked-2] of [REDACTED:user-marked-2]',
    );
    // Gated text comes back unchanged: the exits re-run the gate with the same marks.
    expect((await gateText(gated.text, { marks: ['user', 'email', '1'] })).text).toBe(gated.text);
  });

  it('ignores a mark of white space only', async () => {
    expect((await gateText('a b', { marks: [' ', ''] })).text).toBe('a b');
  });
});
