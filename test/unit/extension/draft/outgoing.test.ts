import { describe, expect, it } from 'vitest';
import { browserLink, clipboardMarkdown, redactOutgoing } from '../../../../src/extension/draft/outgoing';

const ctx = { homeDir: '/home/dana', userName: 'dana', hostName: 'dana-laptop' };

describe('what the draft view sends out', () => {
  it('redacts the title and the body, naming the field of each replacement', () => {
    const out = redactOutgoing({ title: 'Refused on dana-laptop', body: 'mail dana.k@example.org about /home/dana/app' }, ctx);
    expect(out.title).toMatch(/^Refused on \[.+\]$/);
    expect(out.body).not.toMatch(/dana/);
    expect(out.redactions.map((r) => [r.field, r.kind])).toEqual([['title', 'host-name'], ['body', 'email'], ['body', 'home-path']]);
    // Already redacted text comes back unchanged: that is how the view knows nothing new was found.
    expect(redactOutgoing(out, ctx)).toEqual({ title: out.title, body: out.body, redactions: [] });
  });

  it('links to github.com for the public API and to the Enterprise host for HOST/api/v3', () => {
    const draft = { title: 't', body: 'b', repo: 'anthropics/claude-code' };
    expect(browserLink(draft, 'https://api.github.com').url).toBe('https://github.com/anthropics/claude-code/issues/new?title=t&body=b');
    expect(browserLink(draft, 'https://ghe.example.com/api/v3').url).toBe('https://ghe.example.com/anthropics/claude-code/issues/new?title=t&body=b');
  });

  it('cuts a body too long for a link and says so', () => {
    const link = browserLink({ title: 't', body: 'line of the draft\n'.repeat(2000), repo: 'o/r' }, 'https://api.github.com');
    expect(link.truncated).toBe(true);
    expect(link.url.length).toBeLessThanOrEqual(8000);
  });

  it('copies the draft as one markdown file', () => {
    expect(clipboardMarkdown({ title: 'T', body: 'B' })).toBe('# T\n\nB');
  });
});
