// The labels every rendered object carries; their keys and values are the contract's (src/contract).
import { LABEL, MANAGED_BY, PRODUCT, type MetadataMap } from '../contract/index.ts';

export interface ObjectLabelsProps {
  readonly customer: string;
  readonly gateway: string;
  /** The catalog service (or other part: ip-block, image-pre-pull) the object belongs to. */
  readonly name: string;
  /** `<gateway>-<name>`, cut to a DNS label. */
  readonly instance: string;
  /** The catalog version; for objects of no service, the contract version. */
  readonly version: string;
}

export function objectLabels(props: ObjectLabelsProps): MetadataMap {
  return {
    [LABEL.managedBy]: MANAGED_BY,
    [LABEL.partOf]: PRODUCT,
    [LABEL.name]: props.name,
    [LABEL.instance]: props.instance,
    [LABEL.version]: props.version,
    [LABEL.customer]: props.customer,
    [LABEL.gateway]: props.gateway,
  };
}

/** The labels of an object of a catalog service: `essg.io/service` and `essg.io/version` besides the common ones. */
export function serviceObjectLabels(props: ObjectLabelsProps): MetadataMap {
  return { ...objectLabels(props), [LABEL.service]: props.name, [LABEL.serviceVersion]: props.version };
}

/** The immutable Deployment selector: it must not include anything that changes on upgrade. */
export function selectorLabels({ name, instance }: { readonly name: string; readonly instance: string }): MetadataMap {
  return { [LABEL.name]: name, [LABEL.instance]: instance };
}
