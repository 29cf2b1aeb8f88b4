/**
 * Webview HTML with a strict Content Security Policy: no inline script or style, scripts only from media/ with a
 * per-render nonce, styles only from media/, images from media/ and data: URIs (the chart is inline SVG markup).
 * Colours come from VS Code's theme variables in the stylesheets, so the views follow the theme.
 */
import { randomBytes } from 'node:crypto';
import type * as vscode from 'vscode';
import { Uri } from '../vscodeapi';

export function nonce(): string {
  return randomBytes(16).toString('base64');
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function webviewHtml(options: {
  webview: vscode.Webview;
  extensionUri: vscode.Uri;
  title: string;
  script: string;
  style: string;
  body: string;
}): string {
  const { webview, extensionUri } = options;
  const media = (file: string): string => webview.asWebviewUri(Uri.joinPath(extensionUri, 'media', file)).toString();
  const n = nonce();
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${n}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${media('common.css')}">
<link rel="stylesheet" href="${media(options.style)}">
<title>${escapeHtml(options.title)}</title>
</head>
<body>
${options.body}
<script nonce="${n}" src="${media(options.script)}"></script>
</body>
</html>`;
}
