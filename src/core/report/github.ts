/**
 * The GitHub client for duplicate search and filing: the official @octokit/rest with the throttling plugin (waits
 * out rate limits politely, once) and the retry plugin (retries transient 5xx and network failures), plus one place
 * that turns octokit's errors into a message saying what to do.
 */
import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { UserError, type UserErrorKind } from '../errors';

export const DEFAULT_API_URL = 'https://api.github.com';

const GitHub = Octokit.plugin(throttling, retry);
export type GitHubClient = InstanceType<typeof GitHub>;

export interface GitHubClientOptions {
  token?: string;
  /** REST API base, e.g. https://api.github.com or https://ghe.example.com/api/v3 (default api.github.com). */
  apiUrl?: string;
  /** Longest rate-limit wait sat out before giving up, in seconds (default 60). */
  maxRateLimitWaitSeconds?: number;
  /** Milliseconds per second of retry-after and backoff (default 1000; tests shorten it). */
  retryAfterBaseValue?: number;
  /** Retries of transient failures (default 3). */
  retries?: number;
  /** Progress notes ("rate limited, retrying in 12 s"). */
  log?: (message: string) => void;
  userAgent?: string;
}

let clientCount = 0;

export function createGitHubClient(options: GitHubClientOptions = {}): GitHubClient {
  const maxWait = options.maxRateLimitWaitSeconds ?? 60;
  const note = options.log ?? (() => undefined);
  const onLimit =
    (what: string) =>
    (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number): boolean => {
      if (retryCount < 1 && retryAfter <= maxWait) {
        note(`GitHub ${what} reached on ${request.method} ${request.url}; retrying in ${retryAfter} s.`);
        return true;
      }
      return false;
    };
  return new GitHub({
    auth: options.token,
    baseUrl: (options.apiUrl ?? DEFAULT_API_URL).replace(/\/+$/, ''),
    userAgent: options.userAgent ?? 'aup-bisect',
    // Octokit would print deprecation notices and a line per failed request to the console: warnings go to our
    // log; failed requests are reported once, with what to do, by toGitHubError.
    log: { debug: () => undefined, info: () => undefined, warn: (m: string) => note(m), error: () => undefined },
    throttle: {
      // A separate limiter key per client, so one client's pacing never delays another's.
      id: `aup-bisect-${process.pid}-${++clientCount}`,
      retryAfterBaseValue: options.retryAfterBaseValue ?? 1000,
      onRateLimit: onLimit('rate limit'),
      onSecondaryRateLimit: onLimit('secondary rate limit'),
    },
    retry: {
      retries: options.retries ?? 3,
      retryAfterBaseValue: options.retryAfterBaseValue ?? 1000,
    },
  });
}

/** The web host that goes with an API base: api.github.com -> github.com; HOST/api/v3 -> HOST. */
export function webUrlFor(apiUrl: string | undefined): string {
  const api = (apiUrl ?? DEFAULT_API_URL).replace(/\/+$/, '');
  if (/^https?:\/\/api\.github\.com$/i.test(api)) return 'https://github.com';
  const enterprise = /^(https?:\/\/[^/]+)\/api\/v3$/i.exec(api);
  if (enterprise?.[1]) return enterprise[1];
  return 'https://github.com';
}

export type GitHubFailureKind = Extract<UserErrorKind, 'auth' | 'rate-limit' | 'validation' | 'not-found' | 'network' | 'other'>;

/** A GitHub call that failed: a UserError (always with a hint) that also carries the HTTP status. */
export class GitHubError extends UserError {
  override readonly name = 'GitHubError';
  declare readonly kind: GitHubFailureKind;
  declare readonly hint: string;
  constructor(kind: GitHubFailureKind, message: string, hint: string, readonly status?: number, options?: { cause?: unknown }) {
    super(kind, message, hint, options);
  }
}

interface RequestErrorLike {
  status: number;
  message: string;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

function isRequestError(error: unknown): error is RequestErrorLike {
  return typeof error === 'object' && error !== null && typeof (error as { status?: unknown }).status === 'number';
}

/** Turns whatever octokit threw into a GitHubError with a hint. The token never appears in the message. */
export function toGitHubError(error: unknown, action: string): GitHubError {
  if (error instanceof GitHubError) return error;
  if (!isRequestError(error)) {
    const message = error instanceof Error ? error.message : String(error);
    return new GitHubError('other', `${action} failed: ${message}`, 'Try again; if it keeps failing, file the saved draft by hand.', undefined, { cause: error });
  }
  const headers = error.response?.headers ?? {};
  const data = (error.response?.data ?? {}) as { message?: string; errors?: Array<{ field?: string; code?: string; message?: string }> };
  const apiMessage = data.message ?? error.message;
  if (!error.response) {
    return new GitHubError(
      'network',
      `${action} failed: could not reach GitHub (${error.message}).`,
      'Check your network connection (or --api-url) and try again.',
      undefined,
      { cause: error },
    );
  }
  switch (error.status) {
    case 401:
      return new GitHubError(
        'auth',
        `${action} failed: GitHub rejected the token (401 ${apiMessage}).`,
        'Set GITHUB_TOKEN to a valid token with the public_repo scope, or run `gh auth login`.',
        401,
        { cause: error },
      );
    case 403:
    case 429: {
      const remaining = headers['x-ratelimit-remaining'];
      const reset = Number(headers['x-ratelimit-reset']);
      const retryAfter = Number(headers['retry-after']);
      if (String(remaining) === '0' || /rate limit/i.test(apiMessage) || Number.isFinite(retryAfter)) {
        const when = Number.isFinite(reset) && reset > 0
          ? `after ${new Date(reset * 1000).toISOString().slice(11, 16)} UTC`
          : Number.isFinite(retryAfter) ? `in ${retryAfter} s` : 'in a few minutes';
        return new GitHubError('rate-limit', `${action} failed: GitHub rate limit reached (${error.status} ${apiMessage}).`, `Try again ${when}.`, error.status, { cause: error });
      }
      return new GitHubError(
        'auth',
        `${action} failed: the token may not do this (${error.status} ${apiMessage}).`,
        'Use a token with the public_repo scope for this repository.',
        error.status,
        { cause: error },
      );
    }
    case 404:
      return new GitHubError('not-found', `${action} failed: repository not found (404).`, 'Check --repo (owner/name) and that the token can see it.', 404, { cause: error });
    case 410:
      return new GitHubError('not-found', `${action} failed: issues are disabled on this repository (410).`, 'Pick another --repo.', 410, { cause: error });
    case 422: {
      const details = (data.errors ?? []).map((e) => [e.field, e.code, e.message].filter(Boolean).join(' ')).join('; ');
      return new GitHubError(
        'validation',
        `${action} failed: GitHub did not accept the issue (422 ${apiMessage}${details ? `: ${details}` : ''}).`,
        'Edit the saved draft (a title is required; the body must stay under 65,536 characters) and file it again.',
        422,
        { cause: error },
      );
    }
    default:
      if (error.status >= 500) {
        return new GitHubError('network', `${action} failed: GitHub answered ${error.status} after retries (${apiMessage}).`, 'GitHub is having trouble; try again later.', error.status, { cause: error });
      }
      return new GitHubError('other', `${action} failed: ${error.status} ${apiMessage}.`, 'File the saved draft by hand.', error.status, { cause: error });
  }
}
