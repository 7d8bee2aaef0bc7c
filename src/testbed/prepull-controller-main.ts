// Entry point of the test bed's image pre-pull controller (started detached by `essg testbed up`):
//   node --import tsx prepull-controller-main.ts KUBECONFIG
// It plays CloudCore's part for ImagePrePullJob status; see prepull-controller.ts.
import { KubeConfig } from '@kubernetes/client-node';
import { runPrePullController } from './prepull-controller.ts';

const [kubeconfigFile] = process.argv.slice(2);
if (!kubeconfigFile) {
  process.stderr.write('usage: prepull-controller-main.ts KUBECONFIG\n');
  process.exit(2);
}
const kubeconfig = new KubeConfig();
kubeconfig.loadFromFile(kubeconfigFile);
const stop = new AbortController();
process.on('SIGTERM', () => stop.abort());
process.on('SIGINT', () => stop.abort());
process.stdout.write('image pre-pull controller: reporting ImagePrePullJob status as KubeEdge\'s task manager does\n');
await runPrePullController({ kubeconfig, signal: stop.signal, log: (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`) });
process.exit(0);
