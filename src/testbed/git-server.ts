// The test bed's Git server: real `git http-backend` behind a small Node HTTP server that
// speaks CGI to it, serving the bare repos of one folder with push enabled and optional
// basic auth, as a Git host does for isomorphic-git.
import { execFileSync, spawn } from 'node:child_process';
import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';

export interface GitServerOptions {
  /** The folder whose bare repos (`NAME.git`) are served as /NAME.git. */
  readonly root: string;
  /** When set, every request needs these basic-auth credentials. */
  readonly auth?: { readonly username: string; readonly password: string };
  readonly log?: (line: string) => void;
}

export function gitHttpBackendPath(): string {
  return path.join(execFileSync('git', ['--exec-path'], { encoding: 'utf8' }).trim(), 'git-http-backend');
}

export function createGitServer(options: GitServerOptions): http.Server {
  const backend = gitHttpBackendPath();
  return http.createServer((req, res) => {
    if (options.auth && !authorized(req.headers.authorization, options.auth)) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="essg-testbed"', 'Content-Type': 'text/plain' });
      res.end('authentication required\n');
      return;
    }
    serveCgi({ backend, req, res, options });
  });
}

function authorized(header: string | undefined, auth: { username: string; password: string }): boolean {
  const match = /^Basic\s+(.+)$/i.exec(header ?? '');
  if (!match?.[1]) return false;
  const given = Buffer.from(match[1], 'base64');
  const expected = Buffer.from(`${auth.username}:${auth.password}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The CGI/1.1 environment git http-backend reads: the request line, body headers and HTTP_* headers. */
export function cgiEnvironment({ req, root, remoteUser }: { req: http.IncomingMessage; root: string; remoteUser: string | undefined }): NodeJS.ProcessEnv {
  const url = new URL(req.url ?? '/', 'http://testbed');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_PROTOCOL: `HTTP/${req.httpVersion}`,
    SERVER_SOFTWARE: 'essg-testbed',
    REQUEST_METHOD: req.method ?? 'GET',
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.replace(/^\?/, ''),
    REMOTE_ADDR: req.socket.remoteAddress ?? '',
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: '1',
    // Push over HTTP is off by default for anonymous users; the test bed's server allows it.
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'http.receivepack',
    GIT_CONFIG_VALUE_0: 'true',
  };
  if (remoteUser) env.REMOTE_USER = remoteUser;
  if (req.headers['content-type']) env.CONTENT_TYPE = req.headers['content-type'];
  if (req.headers['content-length']) env.CONTENT_LENGTH = req.headers['content-length'];
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name === 'authorization' || name === 'content-type' || name === 'content-length') continue;
    env[`HTTP_${name.toUpperCase().replace(/-/g, '_')}`] = Array.isArray(value) ? value.join(', ') : value;
  }
  return env;
}

function serveCgi({ backend, req, res, options }: { backend: string; req: http.IncomingMessage; res: http.ServerResponse; options: GitServerOptions }): void {
  const child = spawn(backend, [], { env: cgiEnvironment({ req, root: options.root, remoteUser: options.auth?.username }), stdio: ['pipe', 'pipe', 'pipe'] });
  req.pipe(child.stdin);
  child.stdin.on('error', () => undefined);
  child.stderr.on('data', (chunk: Buffer) => options.log?.(`git-http-backend: ${chunk.toString().trimEnd()}`));
  let head = Buffer.alloc(0);
  let headersSent = false;
  child.stdout.on('data', (chunk: Buffer) => {
    if (headersSent) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = headerEnd(head);
    if (!end) return;
    const { status, headers } = parseCgiHeaders(head.subarray(0, end.at).toString('latin1'));
    res.writeHead(status, headers);
    headersSent = true;
    res.write(head.subarray(end.at + end.length));
  });
  child.on('error', (error) => {
    options.log?.(`git-http-backend failed: ${error.message}`);
    if (!res.headersSent) res.writeHead(500);
    res.end();
  });
  child.on('close', (code) => {
    if (!headersSent && !res.headersSent) res.writeHead(code === 0 ? 200 : 500);
    res.end();
  });
}

function headerEnd(buffer: Buffer): { at: number; length: number } | undefined {
  const crlf = buffer.indexOf('\r\n\r\n');
  const lf = buffer.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { at: crlf, length: 4 };
  return lf >= 0 ? { at: lf, length: 2 } : undefined;
}

/** CGI response headers: `Status: 404 Not Found` sets the status; the rest pass through. */
export function parseCgiHeaders(text: string): { status: number; headers: Record<string, string> } {
  let status = 200;
  const headers: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 500;
    else headers[name] = value;
  }
  return { status, headers };
}
