import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

describe('harness', () => {
  it('runs inside a real VS Code', () => {
    assert.ok(vscode.version.length > 0);
    console.log(`VS Code ${vscode.version} (${vscode.env.appName})`);
  });
});
