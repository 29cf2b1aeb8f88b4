import { describe, expect, it } from 'vitest';
import { browserLink, clipboardMarkdown, redactOutgoing } from '../../../../src/extension/draft/outgoing';

const ctx = { homeDir: '/home/dana', userName: 'dana', hostName: 'dana-laptop' };

describe('what the draft view sends out', () => {
  it('gates the title and the body, naming the field of each replacement', async () => {
    const out = await redactOutgoing({ title: 'Refused on dana-laptop', body: 'mail dana.k@example.org about /home/dana/app' }, ctx);
    expect(out.title).toMatch(/^Refused on \[.+\]$/);
    expect(out.body).not.toMatch(/dana/);
    expect(out.redactions.map((r) => r.field)).toEqual(expect.arrayContaining(['title', 'body']));
    expect(out.redactions.map((r) => r.kind)).toEqual(expect.arrayContaining(['host-name', 'email', 'home-path']));
    // Already gated text comes back unchanged: that is how the view knows nothing new was found.
    expect(await redactOutgoing(out, ctx)).toEqual({ title: out.title, body: out.body, redactions: [] });
  });

  it('a secret typed into the edited text does not reach the browser link or the clipboard', async () => {
    const key = 'AKIAQ3EGRXN2ZJ5T7W4B';
    const draft = { title: 't', body: `the plush donkey underneath${key} ok`, repo: 'anthropics/claude-code' };
    expect((await browserLink(draft, 'https://api.github.com', ctx)).url).not.toContain(key);
    expect(await clipboardMarkdown(draft, ctx)).not.toContain(key);
  });

  it('links to github.com for the public API and to the Enterprise host for HOST/api/v3', async () => {
    const draft = { title: 't', body: 'b', repo: 'anthropics/claude-code' };
    expect((await browserLink(draft, 'https://api.github.com', ctx)).url).toBe('https://github.com/anthropics/claude-code/issues/new?title=t&body=b');
    expect((await browserLink(draft, 'https://ghe.example.com/api/v3', ctx)).url).toBe('https://ghe.example.com/anthropics/claude-code/issues/new?title=t&body=b');
  });

  it('cuts a body too long for a link and says so', async () => {
    const link = await browserLink({ title: 't', body: 'line of the draft\n'.repeat(2000), repo: 'o/r' }, 'https://api.github.com', ctx);
    expect(link.truncated).toBe(true);
    expect(link.url.length).toBeLessThanOrEqual(8000);
  });

  it('copies the draft as one markdown file', async () => {
    expect(await clipboardMarkdown({ title: 'T', body: 'B' }, ctx)).toBe('# T\n\nB');
  });
});
