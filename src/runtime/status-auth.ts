// Who may read the reconciler's HTTP port, as `essg reconcile` configures it: the status
// tokens, GitHub sign-in, and team membership through the reconciler's own GitHub client.
import { TeamMembershipCache, type GateOctokit } from '../gate/index.ts';
import type { TeamCheck } from '../report/access.ts';
import { StatusAuth, type OAuthOptions } from '../report/auth.ts';
import type { StatusStore } from '../report/index.ts';

/** How readers sign in (`ESSG_STATUS_TOKEN`, `--oauth-client-id`, `--public-url`, `ESSG_OAUTH_CLIENT_SECRET`, `ESSG_SESSION_SECRET`). */
export interface StatusAuthSettings {
  /** Bearer tokens with an operator's view, for the SOC's tools (a Prometheus scraper, `essg status`). */
  readonly statusTokens?: readonly string[];
  /** GitHub sign-in for browsers. */
  readonly oauth?: OAuthOptions;
  /** Signs session cookies; replicas must share it. @default derived from the OAuth client secret, else random per process */
  readonly sessionSecret?: string;
  /** GitHub's REST API root, for GitHub tokens and OAuth. @default the `--github-url` of approvals, else https://api.github.com */
  readonly githubApiUrl?: string;
}

/** Sign-in for the HTTP port: what each reader may see comes from the fleet access the last pass read. */
export function statusAuth({ settings = {}, githubBaseUrl, store, octokit }: { settings?: StatusAuthSettings; githubBaseUrl: string | undefined; store: StatusStore; octokit: GateOctokit | undefined }): StatusAuth {
  const githubApiUrl = settings.githubApiUrl ?? githubBaseUrl;
  return new StatusAuth({
    access: () => store.access(),
    ...(githubApiUrl ? { githubApiUrl } : {}),
    ...(settings.oauth ? { oauth: settings.oauth } : {}),
    ...(settings.statusTokens ? { statusTokens: settings.statusTokens } : {}),
    ...(settings.sessionSecret ? { sessionSecret: settings.sessionSecret } : {}),
    ...(octokit ? { isTeamMember: teamCheck(octokit) } : {}),
  });
}

/** Team membership through the reconciler's own GitHub client, each answer kept for five minutes; a failed lookup grants nothing. */
function teamCheck(octokit: GateOctokit): TeamCheck {
  const TTL_MS = 5 * 60_000;
  let cache = new TeamMembershipCache();
  let since = Date.now();
  return async (team, login) => {
    if (Date.now() - since > TTL_MS) {
      cache = new TeamMembershipCache();
      since = Date.now();
    }
    return cache.isActiveMember({ octokit, team, login }).catch(() => false);
  };
}

