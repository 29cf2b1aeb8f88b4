import { describe, expect, it, vi } from 'vitest';
vi.mock('../../../../src/extension/vscodeapi', () => import('../support/fakeVscodeApi'));
import { escapeHtml, webviewHtml } from '../../../../src/extension/webview/html';
import { Uri } from '../support/fakeVscodeApi';

const webview = {
  cspSource: 'https://webview.example',
  asWebviewUri: (uri: { path: string }) => ({ toString: () => `https://webview.example${uri.path}` }),
};

function render(): string {
  return webviewHtml({
    webview: webview as never,
    extensionUri: Uri.file('/ext') as never,
    title: 'Bisect: <b>notes</b>',
    script: 'bisect.js',
    style: 'bisect.css',
    body: '<h1>x</h1>',
  });
}

describe('webviewHtml', () => {
  it('allows scripts only with a fresh nonce and styles only from the extension', () => {
    const html = render();
    const csp = /content="([^"]+)"/.exec(html)![1]!;
    expect(csp).toMatch(/^default-src 'none'; img-src https:\/\/webview\.example data:; style-src https:\/\/webview\.example; font-src https:\/\/webview\.example; script-src 'nonce-[A-Za-z0-9+/=]{24}'$/);
    expect(csp).not.toContain('unsafe');
    const nonce = /'nonce-([^']+)'/.exec(csp)![1];
    expect(html).toContain(`<script nonce="${nonce}" src="https://webview.example/ext/media/bisect.js"></script>`);
    expect(html).toContain('<link rel="stylesheet" href="https://webview.example/ext/media/bisect.css">');
    expect(/'nonce-([^']+)'/.exec(render())![1]).not.toBe(nonce);
  });

  it('escapes text put into the page', () => {
    expect(render()).toContain('<title>Bisect: &lt;b&gt;notes&lt;/b&gt;</title>');
    expect(escapeHtml(`"'&`)).toBe('&quot;&#39;&amp;');
  });
});
