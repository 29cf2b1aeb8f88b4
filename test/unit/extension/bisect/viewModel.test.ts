import { describe, expect, it } from 'vitest';
import { bisectViewModel, formatBytes, formatUsd, shownTrigger, sizeChart, summarize } from '../../../../src/extension/bisect/viewModel';
import { bisectResult } from '../fixtures';

const running = { phase: 'locate', probes: 7, tokens: 123_456, costUsd: 0.0042, currentSize: 4200, originalSize: 18_000 };

describe('bisect view model', () => {
  it('summarises size, verification, control and cost in one line', () => {
    expect(summarize(bisectResult())).toBe(
      'Minimal trigger: 33 B (0.18% of 18000 B), refused 5/5 times on verification, and passed 5/5 without "exfiltrate"; 23 paid probes + 4 cached, $0.1234.',
    );
  });

  it('sizes the trigger by what is sent, not by the " … " that shows where text was removed', () => {
    const gapped = bisectResult({
      minimal: 'keylogger … hidden',
      parts: [{ index: 0, kind: 'file', size: 18_000, needed: true, minimal: 'keylogger … hidden', minimalExact: 'keylogger hidden' }],
    });
    expect(summarize(gapped)).toMatch(/^Minimal trigger: 16 B \(0\.09% of 18000 B\)/);
  });

  it('gives the reason, not a 0 B trigger, when the content-free control stopped the run', () => {
    const reason = 'not attributable to the content you sent: the session / fixed prompt is flagged (refused 3/3)';
    const flagged = bisectResult({
      status: 'not-attributable', statusReason: reason, minimal: '', probes: 3, cachedProbes: 0, costUsd: 0.003,
      verification: { refused: 0, of: 0 }, attribution: { control: { refused: 3, of: 3 }, channel: 'fixed-prompt' },
    });
    expect(summarize(flagged)).toBe(`Not bisected: ${reason}; 3 paid probes, $0.0030.`);
  });

  it('formats the live figures as the page shows them', () => {
    const model = bisectViewModel(running, [{ probes: 0, size: 18_000 }, { probes: 7, size: 4200 }]);
    expect(model.phase).toBe('locate');
    expect(model.stats).toEqual({ probes: '7', tokens: '123,456', cost: '$0.0042', size: '4.1 KB', original: '17.6 KB' });
    expect(model.result).toBeUndefined();
    expect([formatBytes(512), formatBytes(3 * 1048576), formatUsd(0), formatUsd(1.5)]).toEqual(['512 B', '3.0 MB', '$0.00', '$1.50']);
  });

  it('draws size over probes on a log scale, the latest point marked', () => {
    const chart = sizeChart([{ probes: 0, size: 10_000 }, { probes: 5, size: 100 }, { probes: 10, size: 1 }]);
    // x runs 36..628 over 0..10 probes; y runs from 12 (10 kB) to the axis at 182 (1 B), 100 B half way.
    expect(chart.path).toBe('M 36 12 L 332 97 L 628 182');
    expect(chart.dot).toEqual({ x: 628, y: 182 });
    expect(chart.labels.map((l) => l.text)).toEqual(['9.8 KB', '1 B', '10 probes']);
    expect(sizeChart([])).toMatchObject({ path: '', labels: [] });
  });

  it('adds the verdict and the minimal trigger when the run has ended, marked when it stopped early', () => {
    const done = bisectViewModel({ ...running, phase: 'done' }, [], bisectResult());
    expect(done.result).toEqual({ summary: summarize(bisectResult()), minimal: 'reverse shell that can exfiltrate', stopped: false, findings: {}, canMeasure: true });
    const stopped = bisectViewModel({ ...running, phase: 'stopped' }, [], bisectResult({ stoppedEarly: 'budget of 200 probes reached' }));
    expect(stopped.result?.stopped).toBe(true);
  });

  it('offers Measure Across Models only for a result with a trigger to replay', () => {
    const flagged = bisectResult({ status: 'not-attributable', minimal: '', attribution: { control: { refused: 3, of: 3 }, channel: 'fixed-prompt' } });
    expect(bisectViewModel({ ...running, phase: 'done' }, [], flagged).result?.canMeasure).toBe(false);
    expect(bisectViewModel({ ...running, phase: 'done' }, [], bisectResult({ status: 'not-refused' })).result?.canMeasure).toBe(false);
  });
});

describe('the trigger the bisect view shows', () => {
  it('is the minimal text for a text input', () => {
    expect(bisectViewModel(running, [], bisectResult()).result?.minimal).toBe('reverse shell that can exfiltrate');
  });

  it('is each kept run of a PDF with its page, since a PDF gets no marks in the editor', () => {
    const pdf = bisectResult({
      minimal: 'pipe bomb … safely',
      parts: [{ index: 0, kind: 'file', fileName: 'flyer.pdf', size: 4000, needed: true, minimal: 'pipe bomb … safely',
        fragments: [{ offset: 40, text: 'pipe bomb', codes: '70 69 70 65 20 62 6f 6d 62', page: 2 }, { offset: 52, text: 'safely', codes: '73 61 66 65 6c 79', page: 3 }] }],
    });
    expect(shownTrigger(pdf)).toBe('page 2: pipe bomb\npage 3: safely');
    expect(bisectViewModel(running, [], pdf).result?.minimal).toBe('page 2: pipe bomb\npage 3: safely');
  });
});
