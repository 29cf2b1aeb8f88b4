/**
 * A loopback stand-in for the part of the GitHub REST API that aup-bisect uses: issue search, issue creation,
 * comments on an issue and GET /user. It answers with GitHub's response shapes and headers (x-ratelimit-*, retry-after, location), records
 * every request, and can be told to fail the next matching requests the ways GitHub fails: 401 bad credentials,
 * 403 primary rate limit, 403 secondary rate limit, 422 validation, 5xx, or a dropped connection.
 * Shared by the report unit tests and the extension's tests; point the real octokit client at `server.url`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeedIssue {
  repo: string;
  title: string;
  body?: string;
  state?: 'open' | 'closed';
  comments?: number;
  reactions?: number;
  labels?: string[];
  createdAt?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body, when there was one. */
  body?: unknown;
}

export type Fault =
  | { kind: 'unauthorized' }
  | { kind: 'rate-limit'; resetInSeconds?: number }
  | { kind: 'secondary-rate-limit'; retryAfterSeconds?: number }
  | { kind: 'validation'; field?: string; code?: string }
  | { kind: 'server-error'; status?: number }
  | { kind: 'drop' };

export interface FaultMatch {
  method?: string;
  /** Matched against the path without the query string. */
  path?: RegExp;
}

export interface GitHubServer {
  /** Base URL for octokit's `baseUrl`, e.g. http://127.0.0.1:53211 */
  url: string;
  requests: RecordedRequest[];
  /** Issues held, by repo, seeded and created. */
  issues: GitHubIssue[];
  /** Comments posted, in order, each with the repo and issue number it went to. */
  comments: GitHubComment[];
  /** Fails the next `times` requests matching `match` with `fault`. Faults queue in order. */
  failNext(match: FaultMatch, fault: Fault, times?: number): void;
  close(): Promise<void>;
}

export interface GitHubServerOptions {
  issues?: SeedIssue[];
  /** When set, only this token is accepted (others get 401); when unset, any token or none is accepted. */
  token?: string;
  /** Login of the authenticated user (GET /user, issue author). */
  login?: string;
}

export interface GitHubIssue {
  url: string;
  repository_url: string;
  labels_url: string;
  comments_url: string;
  events_url: string;
  html_url: string;
  id: number;
  node_id: string;
  number: number;
  title: string;
  user: { login: string; id: number; node_id: string; type: string; site_admin: boolean; html_url: string };
  labels: Array<{ id: number; node_id: string; url: string; name: string; color: string; default: boolean; description: string | null }>;
  state: 'open' | 'closed';
  locked: boolean;
  assignee: null;
  assignees: [];
  milestone: null;
  comments: number;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  author_association: string;
  body: string | null;
  reactions: Record<string, number | string>;
  state_reason: string | null;
}

export interface GitHubComment {
  id: number;
  node_id: string;
  url: string;
  html_url: string;
  issue_url: string;
  body: string;
  user: GitHubIssue['user'];
  created_at: string;
  updated_at: string;
  author_association: string;
  /** Not in GitHub's answer: where the comment went, for tests. */
  repo: string;
  issue: number;
}

const API = 'https://api.github.com';
const WEB = 'https://github.com';

export async function startGitHubServer(options: GitHubServerOptions = {}): Promise<GitHubServer> {
  const login = options.login ?? 'octocat';
  const requests: RecordedRequest[] = [];
  const issues: GitHubIssue[] = [];
  const comments: GitHubComment[] = [];
  const faults: Array<{ match: FaultMatch; fault: Fault; left: number }> = [];
  let nextId = 1_000_000;
  const numbers = new Map<string, number>();
  const searchRemaining = { value: 30 };

  const makeIssue = (repo: string, seed: Omit<SeedIssue, 'repo'>, author: string): GitHubIssue => {
    const number = (numbers.get(repo) ?? 0) + 1;
    numbers.set(repo, number);
    const id = nextId++;
    const created = seed.createdAt ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const reactions = seed.reactions ?? 0;
    return {
      url: `${API}/repos/${repo}/issues/${number}`,
      repository_url: `${API}/repos/${repo}`,
      labels_url: `${API}/repos/${repo}/issues/${number}/labels{/name}`,
      comments_url: `${API}/repos/${repo}/issues/${number}/comments`,
      events_url: `${API}/repos/${repo}/issues/${number}/events`,
      html_url: `${WEB}/${repo}/issues/${number}`,
      id,
      node_id: `I_kwDO${Buffer.from(String(id)).toString('base64url')}`,
      number,
      title: seed.title,
      user: { login: author, id: 583231, node_id: 'MDQ6VXNlcjU4MzIzMQ==', type: 'User', site_admin: false, html_url: `${WEB}/${author}` },
      labels: (seed.labels ?? []).map((name, i) => ({
        id: 100 + i,
        node_id: `LA_${i}`,
        url: `${API}/repos/${repo}/labels/${encodeURIComponent(name)}`,
        name,
        color: 'd73a4a',
        default: name === 'bug',
        description: null,
      })),
      state: seed.state ?? 'open',
      locked: false,
      assignee: null,
      assignees: [],
      milestone: null,
      comments: seed.comments ?? 0,
      created_at: created,
      updated_at: created,
      closed_at: seed.state === 'closed' ? created : null,
      author_association: 'NONE',
      body: seed.body ?? null,
      reactions: {
        url: `${API}/repos/${repo}/issues/${number}/reactions`,
        total_count: reactions,
        '+1': reactions,
        '-1': 0,
        laugh: 0,
        hooray: 0,
        confused: 0,
        heart: 0,
        rocket: 0,
        eyes: 0,
      },
      state_reason: seed.state === 'closed' ? 'completed' : null,
    };
  };
  for (const seed of options.issues ?? []) issues.push(makeIssue(seed.repo, seed, 'someone-else'));

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(text)),
      'x-github-api-version-selected': '2022-11-28',
      'x-github-request-id': `C0DE:${(requests.length + 1).toString(16).toUpperCase()}:AUP`,
      ...headers,
    });
    res.end(text);
  };

  const rateHeaders = (resource: string, limit: number, remaining: number, resetInSeconds = 3600) => ({
    'x-ratelimit-limit': String(limit),
    'x-ratelimit-remaining': String(remaining),
    'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + resetInSeconds),
    'x-ratelimit-used': String(limit - remaining),
    'x-ratelimit-resource': resource,
  });

  const applyFault = (req: IncomingMessage, res: ServerResponse, fault: Fault, resource: string): void => {
    switch (fault.kind) {
      case 'drop':
        // The connection goes away mid-request, as on a network failure: no status line at all.
        req.socket.destroy();
        return;
      case 'unauthorized':
        send(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });
        return;
      case 'rate-limit': {
        send(
          res,
          403,
          {
            message: 'API rate limit exceeded for user ID 583231. If you reach out to GitHub Support for help, please include the request ID C0DE:AUP.',
            documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
            status: '403',
          },
          rateHeaders(resource, resource === 'search' ? 30 : 5000, 0, fault.resetInSeconds ?? 60),
        );
        return;
      }
      case 'secondary-rate-limit':
        send(
          res,
          403,
          {
            message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
            documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
            status: '403',
          },
          { 'retry-after': String(fault.retryAfterSeconds ?? 60) },
        );
        return;
      case 'validation':
        send(res, 422, {
          message: 'Validation Failed',
          errors: [{ resource: 'Issue', code: fault.code ?? 'missing_field', field: fault.field ?? 'title' }],
          documentation_url: 'https://docs.github.com/rest/issues/issues#create-an-issue',
          status: '422',
        });
        return;
      case 'server-error':
        send(res, fault.status ?? 502, { message: 'Server Error' });
        return;
    }
  };

  const takeFault = (method: string, path: string): Fault | undefined => {
    const index = faults.findIndex(
      (f) => (!f.match.method || f.match.method === method) && (!f.match.path || f.match.path.test(path)),
    );
    if (index === -1) return undefined;
    const entry = faults[index]!;
    entry.left -= 1;
    if (entry.left <= 0) faults.splice(index, 1);
    return entry.fault;
  };

  const search = (q: string) => {
    // GitHub's syntax, the subset used here: qualifiers (repo:, is:, state:, in:, label:), "quoted phrases", words;
    // every term must match (AND), case-insensitively, in the title or body.
    const tokens = [...q.matchAll(/(\w+):("[^"]*"|\S+)|"([^"]*)"|(\S+)/g)];
    let repo: string | undefined;
    let state: string | undefined;
    let type: string | undefined;
    const terms: string[] = [];
    for (const t of tokens) {
      if (t[1]) {
        const value = (t[2] ?? '').replace(/^"|"$/g, '');
        if (t[1] === 'repo') repo = value.toLowerCase();
        else if (t[1] === 'state' || (t[1] === 'is' && (value === 'open' || value === 'closed'))) state = value;
        else if (t[1] === 'is' || t[1] === 'type') type = value;
      } else {
        const term = (t[3] ?? t[4] ?? '').toLowerCase();
        if (term && term !== 'and') terms.push(term);
      }
    }
    const matches = issues.filter((issue) => {
      const issueRepo = issue.repository_url.slice(`${API}/repos/`.length).toLowerCase();
      if (repo && issueRepo !== repo) return false;
      if (state && issue.state !== state) return false;
      if (type === 'pr' || type === 'pull-request') return false;
      const hay = `${issue.title}\n${issue.body ?? ''}`.toLowerCase();
      return terms.every((term) => hay.includes(term));
    });
    return matches.map((issue) => ({ ...issue, score: 1 }));
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://loopback');
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      if (raw) {
        try {
          body = JSON.parse(raw);
        } catch {
          body = raw;
        }
      }
      const method = req.method ?? 'GET';
      requests.push({ method, path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, body });
      const resource = url.pathname.startsWith('/search/') ? 'search' : 'core';

      const fault = takeFault(method, url.pathname);
      if (fault) {
        applyFault(req, res, fault, resource);
        return;
      }
      const auth = req.headers.authorization;
      const token = auth?.replace(/^(?:token|bearer)\s+/i, '');
      if (options.token !== undefined && auth !== undefined && token !== options.token) {
        applyFault(req, res, { kind: 'unauthorized' }, resource);
        return;
      }

      if (method === 'GET' && url.pathname === '/search/issues') {
        const q = url.searchParams.get('q') ?? '';
        if (!q.trim()) {
          send(res, 422, {
            message: 'Validation Failed',
            errors: [{ resource: 'Search', field: 'q', code: 'missing' }],
            documentation_url: 'https://docs.github.com/v3/search',
            status: '422',
          });
          return;
        }
        const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 30) || 30);
        const items = search(q);
        searchRemaining.value = Math.max(0, searchRemaining.value - 1);
        send(
          res,
          200,
          { total_count: items.length, incomplete_results: false, items: items.slice(0, perPage) },
          rateHeaders('search', auth ? 30 : 10, searchRemaining.value),
        );
        return;
      }

      const create = /^\/repos\/([^/]+)\/([^/]+)\/issues$/.exec(url.pathname);
      if (create && method === 'POST') {
        if (!auth) {
          send(res, 401, { message: 'Requires authentication', documentation_url: 'https://docs.github.com/rest/issues/issues#create-an-issue', status: '401' });
          return;
        }
        const input = (body ?? {}) as { title?: unknown; body?: unknown; labels?: unknown };
        if (typeof input.title !== 'string' || input.title.trim() === '') {
          applyFault(req, res, { kind: 'validation', field: 'title', code: 'missing_field' }, resource);
          return;
        }
        if (typeof input.body === 'string' && input.body.length > 65536) {
          applyFault(req, res, { kind: 'validation', field: 'body', code: 'custom' }, resource);
          return;
        }
        const repo = `${create[1]}/${create[2]}`;
        const issue = makeIssue(
          repo,
          {
            title: input.title,
            body: typeof input.body === 'string' ? input.body : undefined,
            labels: Array.isArray(input.labels) ? input.labels.filter((l): l is string => typeof l === 'string') : [],
          },
          login,
        );
        issue.author_association = 'NONE';
        issues.push(issue);
        send(res, 201, issue, { location: issue.url, ...rateHeaders('core', 5000, 4999) });
        return;
      }

      const comment = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(url.pathname);
      if (comment && method === 'POST') {
        if (!auth) {
          send(res, 401, { message: 'Requires authentication', documentation_url: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment', status: '401' });
          return;
        }
        const repo = `${comment[1]}/${comment[2]}`;
        const number = Number(comment[3]);
        const issue = issues.find((i) => i.repository_url === `${API}/repos/${repo}` && i.number === number);
        if (!issue) {
          send(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment', status: '404' });
          return;
        }
        const input = (body ?? {}) as { body?: unknown };
        if (typeof input.body !== 'string' || input.body.trim() === '' || input.body.length > 65536) {
          send(res, 422, {
            message: 'Validation Failed',
            errors: [{ resource: 'IssueComment', code: typeof input.body === 'string' && input.body.trim() ? 'custom' : 'missing_field', field: 'body' }],
            documentation_url: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
            status: '422',
          });
          return;
        }
        const id = nextId++;
        const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
        const posted: GitHubComment = {
          id,
          node_id: `IC_kwDO${Buffer.from(String(id)).toString('base64url')}`,
          url: `${API}/repos/${repo}/issues/comments/${id}`,
          html_url: `${issue.html_url}#issuecomment-${id}`,
          issue_url: issue.url,
          body: input.body,
          user: { ...issue.user, login, html_url: `${WEB}/${login}` },
          created_at: now,
          updated_at: now,
          author_association: 'NONE',
          repo,
          issue: number,
        };
        comments.push(posted);
        issue.comments += 1;
        issue.updated_at = now;
        const { repo: _repo, issue: _issue, ...answer } = posted;
        send(res, 201, answer, { location: posted.url, ...rateHeaders('core', 5000, 4999) });
        return;
      }

      if (method === 'GET' && url.pathname === '/user') {
        if (!auth) {
          send(res, 401, { message: 'Requires authentication', documentation_url: 'https://docs.github.com/rest/users/users#get-the-authenticated-user', status: '401' });
          return;
        }
        send(res, 200, { login, id: 583231, node_id: 'MDQ6VXNlcjU4MzIzMQ==', type: 'User', site_admin: false, html_url: `${WEB}/${login}` });
        return;
      }

      send(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    issues,
    comments,
    failNext(match, fault, times = 1) {
      faults.push({ match, fault, left: times });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
