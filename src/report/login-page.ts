// The sign-in page: GitHub's OAuth web flow where it is configured, and a token form (a
// GitHub token, or the status token) everywhere. No script: it is a link and a form.

const escape = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

export function loginPage({ oauth, next, message }: { readonly oauth: boolean; readonly next: string; readonly message?: string }): string {
  const nextParam = encodeURIComponent(next);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · ESSG fleet</title>
<link rel="stylesheet" href="/dashboard.css">
</head>
<body class="login">
<main class="login-box">
<h1>ESSG fleet</h1>
<p>The fleet's operators see every gateway; a customer's approvers see that customer's gateways.</p>
${message ? `<p class="login-message" role="alert" id="login-message">${escape(message)}</p>` : ''}
${oauth ? `<p><a class="login-github" id="sign-in-github" href="/auth/github?next=${nextParam}">Sign in with GitHub</a></p>` : ''}
<form method="post" action="/auth/token" id="token-form">
<label for="token">${oauth ? 'Or sign in with a token' : 'Sign in with a token'} (a GitHub token, or the status token)</label>
<input type="password" id="token" name="token" autocomplete="off" required>
<input type="hidden" name="next" value="${escape(next)}">
<button type="submit">Sign in</button>
</form>
</main>
</body>
</html>
`;
}
