// Preloaded into `cdk8s import` by scripts/import-types.sh: cdk8s-cli fetches the schema of
// `k8s@<version>` from a fixed GitHub URL, which this machine cannot reach. This serves that
// URL from ESSG_K8S_DEFINITIONS (built from the Kubernetes Go module's own swagger.json) and
// refuses every other download, so an import can never reach the network.
import { createRequire } from 'node:module';
import path from 'node:path';
import process from 'node:process';

const require = createRequire(import.meta.url);
const cli = path.dirname(require.resolve('cdk8s-cli/package.json'));
const util = require(path.join(cli, 'lib/util.js'));
const readLocal = util.download;
const schemaUrl = /^https:\/\/raw\.githubusercontent\.com\/cdk8s-team\/cdk8s\/master\/kubernetes-schemas\/v[0-9.]+\/_definitions\.json$/;

util.download = async (url) => {
  if (schemaUrl.test(url)) {
    const file = process.env.ESSG_K8S_DEFINITIONS;
    if (!file) throw new Error('ESSG_K8S_DEFINITIONS is not set: run scripts/import-types.sh');
    return readLocal(file);
  }
  if (/^[a-z]+:\/\//.test(url) && !url.startsWith('file:')) throw new Error(`refusing to download ${url}: imports are built from local files only`);
  return readLocal(url);
};
