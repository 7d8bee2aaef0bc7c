import { Construct } from 'constructs';
import type { VulnScanInput } from '../inputs.ts';
import { LABEL } from '../../contract/index.ts';
import { JobService } from './job-service.ts';
import { serviceIdentity, type GatewayPlacement } from './placement.ts';
import { ServiceConfig } from './service-config.ts';

export interface VulnScanProps {
  readonly placement: GatewayPlacement;
  /** The response, with the catalog scanner it names and the scan's config (targets, profile). */
  readonly scan: VulnScanInput;
}

/** A vuln-scan response on one gateway: one run of the catalog scanner, with its targets as config.json. */
export class VulnScanJob extends Construct {
  constructor(scope: Construct, id: string, props: VulnScanProps) {
    super(scope, id);
    const { placement, scan } = props;
    const identity = serviceIdentity({ placement, service: scan.scanner, instanceOf: `scan-${scan.response}` });
    const responseLabels = { [LABEL.response]: scan.response, [LABEL.responseAction]: 'vuln-scan' };
    const labels = { ...identity.labels, ...responseLabels };
    const config = new ServiceConfig(this, 'config', { name: identity.instance, namespace: placement.namespace, labels, config: scan.scanner.config, ...(scan.scanner.dataPolicy ? { dataPolicy: scan.scanner.dataPolicy } : {}) });
    new JobService(this, 'job', { placement, service: scan.scanner, identity, config, extraLabels: responseLabels });
  }
}
