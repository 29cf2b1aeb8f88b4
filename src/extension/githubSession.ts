/** Where the GitHub token comes from: VS Code's GitHub sign-in with the one scope filing needs (tests replace it). */
import { getGitHubSession } from './vscodeapi';

export const GITHUB_SCOPES = ['public_repo'];

export interface GitHubSessionLike {
  accessToken: string;
  account: { label: string };
}

export type SessionSource = (createIfNone: boolean) => Promise<GitHubSessionLike | undefined>;

export const vscodeSession: SessionSource = async (createIfNone) => getGitHubSession(GITHUB_SCOPES, createIfNone);
