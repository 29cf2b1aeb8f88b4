import { describe, expect, it } from 'vitest';
import { redact, type RedactionKind } from '../../../src/core/report/redact';

// Secrets in real formats, generated here so none of them is (or ever was) valid.
let seed = 0x5eed;
function random(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    out += alphabet[seed % alphabet.length];
  }
  return out;
}
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const B64URL = `${ALNUM}_-`;
const B64 = `${ALNUM}+/`;
const b64url = (s: string) => Buffer.from(s).toString('base64url');

const corpus: Array<{ kind: RedactionKind; sample: string; secret: string }> = [];
function add(kind: RedactionKind, secret: string, sample = `value: ${secret} end`) {
  corpus.push({ kind, sample, secret });
}
add('anthropic-api-key', `sk-ant-api03-${random(B64URL, 93)}AA`);
add('anthropic-api-key', `sk-ant-admin01-${random(B64URL, 80)}`);
add('openai-api-key', `sk-${random(ALNUM, 20)}T3BlbkFJ${random(ALNUM, 20)}`);
add('openai-api-key', `sk-proj-${random(B64URL, 120)}`);
add('github-token', `ghp_${random(ALNUM, 36)}`);
add('github-token', `gho_${random(ALNUM, 36)}`);
add('github-token', `github_pat_${random(ALNUM, 22)}_${random(ALNUM, 59)}`);
add('aws-access-key-id', `AKIA${random(UPPER_DIGITS, 16)}`);
add('aws-access-key-id', `ASIA${random(UPPER_DIGITS, 16)}`);
{
  const secret = random(B64, 40);
  corpus.push({ kind: 'aws-secret-access-key', secret, sample: `aws_secret_access_key = ${secret}\n` });
  const again = random(B64, 40);
  corpus.push({ kind: 'aws-secret-access-key', secret: again, sample: `{"SecretAccessKey": "${again}"}` });
}
add('slack-token', `xoxb-${random('0123456789', 12)}-${random('0123456789', 13)}-${random(ALNUM, 24)}`);
add('slack-token', `xoxp-${random('0123456789', 12)}-${random('0123456789', 12)}-${random(ALNUM, 32)}`);
add('slack-webhook', `https://hooks.slack.com/services/T${random(UPPER_DIGITS, 8)}/B${random(UPPER_DIGITS, 8)}/${random(ALNUM, 24)}`);
add('google-api-key', `AIza${random(B64URL, 35)}`);
add(
  'jwt',
  `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url('{"sub":"1234567890","iat":1516239022}')}.${random(B64URL, 43)}`,
);
{
  const token = random(ALNUM, 40);
  corpus.push({ kind: 'bearer-token', secret: token, sample: `curl -H "Authorization: Bearer ${token}" https://x` });
  const basic = Buffer.from('alice:hunter2hunter2').toString('base64');
  corpus.push({ kind: 'bearer-token', secret: basic, sample: `Authorization: Basic ${basic}` });
}
{
  const password = `p4ss${random(ALNUM, 10)}`;
  corpus.push({ kind: 'url-password', secret: password, sample: `DATABASE_URL=postgres://app:${password}@db.internal:5432/prod` });
}
add('email', 'jane.doe+bugs@example-corp.co.uk');
add('ipv4', '203.0.113.77', 'connect to 203.0.113.77:8443 failed');
add('ipv4', '10.1.2.3', 'host 10.1.2.3');
add('ipv6', '2001:db8:85a3::8a2e:370:7334', 'listen [2001:db8:85a3::8a2e:370:7334]:80');
add('ipv6', 'fe80:0:0:0:202:b3ff:fe1e:8329', 'addr fe80:0:0:0:202:b3ff:fe1e:8329 up');
{
  const key = `-----BEGIN OPENSSH PRIVATE KEY-----\n${random(B64, 70)}\n${random(B64, 70)}\n${random(B64, 20)}==\n-----END OPENSSH PRIVATE KEY-----`;
  corpus.push({ kind: 'private-key', secret: key, sample: `key:\n${key}\nafter` });
  const rsa = `-----BEGIN RSA PRIVATE KEY-----\n${random(B64, 64)}\n${random(B64, 64)}\n-----END RSA PRIVATE KEY-----`;
  corpus.push({ kind: 'private-key', secret: rsa, sample: rsa });
}

describe('redact: real-format secrets', () => {
  it.each(corpus.map((c) => [c.kind, c]))('removes a %s', (_kind, c) => {
    const { text, redactions } = redact(c.sample);
    expect(text).not.toContain(c.secret);
    expect(redactions.map((r) => r.kind)).toContain(c.kind);
    expect(text).toContain(`[REDACTED:${c.kind}-1]`);
  });

  it('numbers distinct values and reuses the placeholder for a repeated one', () => {
    const { text, redactions } = redact('a@example.com wrote to b@example.org, cc a@example.com');
    expect(text).toBe('[REDACTED:email-1] wrote to [REDACTED:email-2], cc [REDACTED:email-1]');
    expect(redactions).toHaveLength(3);
  });

  it('says where each value was, and never keeps the value', () => {
    const key = `ghp_${random(ALNUM, 36)}`;
    const { redactions } = redact(`line one\n  token ${key}\n`);
    expect(redactions).toEqual([{ kind: 'github-token', ruleSet: 'aup-bisect', placeholder: '[REDACTED:github-token-1]', line: 2, column: 9, length: 40 }]);
    expect(JSON.stringify(redactions)).not.toContain(key);
  });

  it('is idempotent', () => {
    const once = redact(corpus.map((c) => c.sample).join('\n')).text;
    expect(redact(once).text).toBe(once);
    expect(redact(once).redactions).toEqual([]);
  });

  it('reports a JWT inside a bearer header once, as a JWT', () => {
    const jwt = corpus.find((c) => c.kind === 'jwt')!.secret;
    const { text, redactions } = redact(`Authorization: Bearer ${jwt}`);
    expect(text).toBe('Authorization: Bearer [REDACTED:jwt-1]');
    expect(redactions.map((r) => r.kind)).toEqual(['jwt']);
  });
});

describe('redact: who and where the user is', () => {
  const ctx = { homeDir: '/home/alice', userName: 'alice', hostName: 'alice-thinkpad.local' };

  it('replaces the home directory with ~ and the user and host names with placeholders', () => {
    const { text } = redact(
      'Read /home/alice/work/ad.pdf on alice-thinkpad as alice; project dir ~/.claude/projects/-home-alice-work',
      ctx,
    );
    expect(text).toBe('Read ~/work/ad.pdf on [HOST] as [USER]; project dir ~/.claude/projects/-home-[USER]-work');
  });

  it('handles Windows and JSON-escaped home paths, and other users\' homes', () => {
    const { text } = redact(
      '{"file":"C:\\\\Users\\\\Bob\\\\ad.pdf"} and /Users/carol/x and C:\\Users\\bob\\y',
      { homeDir: 'C:\\Users\\Bob', userName: 'Bob' },
    );
    expect(text).toBe('{"file":"~\\\\ad.pdf"} and /Users/[USER]/x and ~\\y');
  });

  it('leaves generic account names alone as words', () => {
    const { text } = redact('run node as root in /home/node/app', { homeDir: '/home/node', userName: 'node' });
    expect(text).toBe('run node as root in ~/app');
  });
});

describe('redact: near-misses that must survive', () => {
  const survivors = [
    'pip install scikit-learn; import sk-learn; sk-learn-pipeline-transformer-examples',
    'Request ID: req_011CbgiZGk6bR8jQrLT4Ypem',
    'Message ID: msg_01XFDUDYJgAACzvnptvVoYEL',
    '"request_id":"req_011CYT2mJt3qn7PAX9R8mT23"',
    'commit 9fceb02d0ae598e95dc970b74767f19372d61af8',
    'sha256 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824',
    'id 123e4567-e89b-12d3-a456-426614174000',
    'Claude Code 2.1.328, node v20.19.4, chrome v120.0.6099.109, version 1.2.3.4, @octokit/rest@22.0.1',
    'listening on 127.0.0.1:8080 and 0.0.0.0 and [::1]:80',
    'at 12:34:56 std::vector<int> Foo::bar() a::b::c',
    'git clone git@github.com:anthropics/claude-code.git',
    '12345+someone@users.noreply.github.com',
    'https://example.com:8443/path?q=1 and https://api.anthropic.com/v1/messages',
    'the bearer of bad news; Bearer auth is used; password: (ask the user)',
    'AKIAEXAMPLE is too short; AIza alone; xoxb- alone',
    'https://claude.com/form/cyber-use-case?token=[REDACTED_TOKEN]',
    'BT /F1 24 Tf 72 700 Td (Hello world) Tj ET',
    'Full draft: /tmp/aup-cli-report-3VJvW4/result.issue.md',
    'out: build/Release/aup3Xy9Kq_addon.node',
  ];
  it.each(survivors)('keeps %s', (sample) => {
    expect(redact(sample, { homeDir: '/home/alice', userName: 'alice', hostName: 'box' })).toEqual({ text: sample, redactions: [] });
  });
});
