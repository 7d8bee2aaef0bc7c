// Entry point of the test bed's Git server process (started detached by `essg testbed up`):
//   node --import tsx git-server-main.ts ROOT PORT [AUTH_FILE]
// AUTH_FILE holds `username:password`, so the password never shows in a process listing.
import { readFileSync } from 'node:fs';
import { createGitServer } from './git-server.ts';
import { LOOPBACK } from './ports.ts';

const [root, port, authFile] = process.argv.slice(2);
if (!root || !port) {
  process.stderr.write('usage: git-server-main.ts ROOT PORT [AUTH_FILE]\n');
  process.exit(2);
}
const credentials = authFile ? readFileSync(authFile, 'utf8').trim() : undefined;
const colon = credentials?.indexOf(':') ?? -1;
const auth = credentials && colon > 0 ? { username: credentials.slice(0, colon), password: credentials.slice(colon + 1) } : undefined;
const server = createGitServer({ root, auth, log: (line) => process.stderr.write(`${line}\n`) });
server.listen(Number(port), LOOPBACK, () => process.stdout.write(`git server for ${root} on http://${LOOPBACK}:${port}\n`));
const stop = (): void => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
