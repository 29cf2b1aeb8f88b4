/**
 * Secrets in real formats, generated at test time from a seeded generator, so none of them is (or ever was) valid,
 * and the near-misses that must survive redaction untouched. Shared by the exit tests and `npm run bench:redact`.
 */

let seed = 0x5eed;
/** Restarts the generator, so a test file and the bench draw the same corpus. */
export function reseed(value = 0x5eed): void {
  seed = value;
}
function random(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    out += alphabet[(seed >> 8) % alphabet.length];
  }
  return out;
}
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = LOWER.toUpperCase();
const DIGITS = '0123456789';
const ALNUM = `${UPPER}${LOWER}${DIGITS}`;
const B64URL = `${ALNUM}_-`;
const B64 = `${ALNUM}+/`;
const HEX = '0123456789abcdef';
const b64url = (s: string) => Buffer.from(s).toString('base64url');

export interface SecretSample {
  /** A name for the format, e.g. "aws-access-key-id". */
  name: string;
  /** The value that must never leave. */
  secret: string;
  /** A public part of the value (a webhook's host and path) that may appear elsewhere in a draft. */
  publicPrefix?: string;
  /** A public ending (".internal"): the word also names the redaction kind ("internal-host") in the draft. */
  publicSuffix?: string;
  /**
   * The line the secret sits in inside an original file, where its boundaries are intact (a named assignment for
   * values only recognisable by their name). Contains `secret` exactly once.
   */
  line: string;
}

/** At least 40 kinds: vendor keys, private keys, connection strings, assignments, personal data, hosts. */
export function secretCorpus(): SecretSample[] {
  const out: SecretSample[] = [];
  const add = (name: string, secret: string, line = `value ${secret} end`) => out.push({ name, secret, line });
  add('aws-access-key-id', `AKIA${random('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`);
  add('aws-session-key-id', `ASIA${random('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`);
  {
    const s = random(B64, 40);
    add('aws-secret-access-key', s, `aws_secret_access_key = ${s}`);
  }
  add('github-pat-classic', `ghp_${random(ALNUM, 36)}`);
  add('github-oauth', `gho_${random(ALNUM, 36)}`);
  add('github-user-to-server', `ghu_${random(ALNUM, 36)}`);
  add('github-server-to-server', `ghs_${random(ALNUM, 36)}`);
  add('github-refresh', `ghr_${random(ALNUM, 36)}`);
  add('github-fine-grained-pat', `github_pat_${random(ALNUM, 22)}_${random(ALNUM, 59)}`);
  add('anthropic-api-key', `sk-ant-api03-${random(B64URL, 93)}AA`);
  add('anthropic-oauth-token', `sk-ant-oat01-${random(B64URL, 93)}AA`);
  add('anthropic-admin-key', `sk-ant-admin01-${random(B64URL, 93)}AA`);
  add('openai-project-key', `sk-proj-${random(B64URL, 58)}T3BlbkFJ${random(B64URL, 58)}`);
  add('openai-legacy-key', `sk-${random(ALNUM, 20)}T3BlbkFJ${random(ALNUM, 20)}`);
  add('slack-bot-token', `xoxb-${random(DIGITS, 12)}-${random(DIGITS, 13)}-${random(ALNUM, 24)}`);
  add('slack-user-token', `xoxp-${random(DIGITS, 12)}-${random(DIGITS, 12)}-${random(DIGITS, 13)}-${random(HEX, 32)}`);
  add('slack-webhook', `https://hooks.slack.com/services/T${random(UPPER + DIGITS, 8)}/B${random(UPPER + DIGITS, 8)}/${random(ALNUM, 24)}`);
  out[out.length - 1]!.publicPrefix = 'https://hooks.slack.com/services/';
  add('google-api-key', `AIza${random(B64URL, 35)}`);
  add('jwt', `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url(`{"sub":"${random(DIGITS, 10)}","iat":1516239022}`)}.${random(B64URL, 43)}`);
  add('stripe-live-secret', `sk_live_${random(ALNUM, 24)}`);
  add('stripe-restricted', `rk_live_${random(ALNUM, 24)}`);
  add('stripe-webhook-secret', `whsec_${random(ALNUM, 32)}`);
  add('npm-token', `npm_${random(ALNUM, 36)}`);
  add('gitlab-pat', `glpat-${random(B64URL, 20)}`);
  add('huggingface-token', `hf_${random(LOWER + UPPER, 34)}`);
  add('sendgrid-key', `SG.${random(B64URL, 22)}.${random(B64URL, 43)}`);
  add('shopify-token', `shpat_${random(HEX, 32)}`);
  add('linear-key', `lin_api_${random(ALNUM, 40)}`);
  add('groq-key', `gsk_${random(ALNUM, 52)}`);
  {
    const body = [random(B64, 64), random(B64, 64), random(B64, 40)].join('\n');
    add('private-key-rsa', `-----BEGIN RSA PRIVATE KEY-----\n${body}\n-----END RSA PRIVATE KEY-----`, `-----BEGIN RSA PRIVATE KEY-----\n${body}\n-----END RSA PRIVATE KEY-----`);
    out[out.length - 1]!.line = out[out.length - 1]!.secret;
  }
  {
    const key = `-----BEGIN OPENSSH PRIVATE KEY-----\n${random(B64, 70)}\n${random(B64, 70)}\n${random(B64, 20)}==\n-----END OPENSSH PRIVATE KEY-----`;
    out.push({ name: 'private-key-openssh', secret: key, line: key });
  }
  {
    const pw = `${random(LOWER, 4)}${random(DIGITS, 3)}${random(UPPER, 3)}`;
    add('postgres-password', pw, `DATABASE_URL=postgres://app:${pw}@db.example.com:5432/prod`);
  }
  {
    const pw = `${random(ALNUM, 12)}`;
    add('mysql-password', pw, `mysql://root:${pw}@mysql.example.com:3306/shop`);
  }
  {
    const pw = `${random(ALNUM, 14)}`;
    add('mongodb-password', pw, `MONGO_URI="mongodb+srv://svc:${pw}@cluster0.example.net/app"`);
  }
  {
    const pw = `${random(ALNUM, 10)}`;
    add('basic-auth-url-password', pw, `fetch("https://deploy:${pw}@registry.example.com/v2/")`);
  }
  {
    const t = random(ALNUM, 40);
    add('bearer-token', t, `curl -H "Authorization: Bearer ${t}" https://api.example.com`);
  }
  {
    const pw = `${random(LOWER, 6)}${random(DIGITS, 2)}!${random(LOWER, 3)}`;
    add('env-db-password', pw, `DB_PASSWORD=${pw}`);
  }
  {
    const s = random(ALNUM, 32);
    add('env-secret-key', s, `SECRET_KEY="${s}"`);
  }
  {
    const s = random(ALNUM, 28);
    add('env-api-token', s, `API_TOKEN=${s}`);
  }
  {
    const s = `${random(ALNUM, 30)}`;
    add('config-client-secret', s, `  "client_secret": "${s}",`);
  }
  {
    const s = `${random(UPPER, 2)}${random(ALNUM, 26)}${random(DIGITS, 2)}`;
    add('high-entropy-assignment', s, `PAYMENTS_CONFIG=${s}`);
  }
  add('email', `${random(LOWER, 6)}.${random(LOWER, 5)}@example-corp.com`);
  {
    const name = `${random(LOWER, 7)}`;
    add('linux-home-user', name, `open /home/${name}/projects/app/main.py`);
  }
  {
    const name = `${random(LOWER, 6)}`;
    add('macos-home-user', name, `cd /Users/${name}/Library/Logs`);
  }
  {
    const name = `${random(LOWER, 5)}`;
    add('windows-home-user', name, `C:\\Users\\${name}\\AppData\\Roaming\\app.json`);
  }
  {
    const host = `build-${random(DIGITS, 2)}.${random(LOWER, 5)}.internal`;
    add('internal-host', host, `ssh deploy@${host} uptime`);
    out[out.length - 1]!.publicSuffix = '.internal';
  }
  {
    const host = `${random(LOWER, 6)}-db.corp`;
    add('corp-host', host, `psql -h ${host} -U app`);
  }
  {
    const ip = `203.0.113.${10 + (seed % 200)}`;
    add('ipv4-public', ip, `connect to ${ip}:8443 failed`);
  }
  return out;
}

/** Strings that look like secrets but are not, and must leave untouched (support needs most of them). */
export function nearMisses(): string[] {
  return [
    `9fceb02d0ae598e95dc970b74767f19372d61af8`,
    `123e4567-e89b-12d3-a456-426614174000`,
    `req_011CbgiZGk6bR8jQrLT4Ypem`,
    `msg_01XFDUDYJgAACzvnptvVoYEL`,
    `toolu_01A09q90qw90lq917835lq9`,
    `2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824`,
    `v20.19.4`,
    `1.2.3`,
    `@octokit/rest@22.0.1`,
    `127.0.0.1:8080`,
    `0.0.0.0`,
    `git@github.com:anthropics/claude-code.git`,
    `max_tokens: 256`,
  ];
}
