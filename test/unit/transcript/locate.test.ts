import { mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listTranscripts, missingProjectsMessage, resolveProjectsDir } from '../../../src/core/transcript/locate';
import { tempDir } from '../../support/transcript';

const saved = process.env.CLAUDE_CONFIG_DIR;
afterEach(() => {
  if (saved === undefined) delete process.env.CLAUDE_CONFIG_DIR;
  else process.env.CLAUDE_CONFIG_DIR = saved;
});

describe('resolveProjectsDir', () => {
  it('uses <config dir>/projects: --claude-dir, else $CLAUDE_CONFIG_DIR, else ~/.claude', () => {
    const config = tempDir();
    mkdirSync(join(config, 'projects'));
    expect(resolveProjectsDir(config)).toBe(join(config, 'projects'));
    process.env.CLAUDE_CONFIG_DIR = config;
    expect(resolveProjectsDir()).toBe(join(config, 'projects'));
    delete process.env.CLAUDE_CONFIG_DIR;
    expect(resolveProjectsDir()).toBe(join(homedir(), '.claude', 'projects'));
  });

  it('accepts a folder that holds transcripts directly', () => {
    const folder = tempDir();
    writeFileSync(join(folder, 'session.jsonl'), '');
    expect(resolveProjectsDir(folder)).toBe(folder);
  });

  it('says what to do when there is nothing there', () => {
    const missing = join(tempDir(), 'nope');
    expect(missingProjectsMessage(resolveProjectsDir(missing))).toMatch(/pass --claude-dir DIR .* or set CLAUDE_CONFIG_DIR/);
  });
});

describe('listTranscripts', () => {
  it('lists *.jsonl in every sub-folder, sorted, and nothing else', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, '-p', 'session', 'subagents'), { recursive: true });
    writeFileSync(join(dir, '-p', 'b.jsonl'), 'x');
    writeFileSync(join(dir, '-p', 'a.jsonl'), '');
    writeFileSync(join(dir, '-p', 'notes.txt'), '');
    writeFileSync(join(dir, '-p', 'session', 'subagents', 'agent-1.jsonl'), '');
    const found: string[] = [];
    for await (const info of listTranscripts(dir)) found.push(info.path.slice(dir.length));
    expect(found).toEqual(['/-p/a.jsonl', '/-p/b.jsonl', '/-p/session/subagents/agent-1.jsonl']);
  });
});
