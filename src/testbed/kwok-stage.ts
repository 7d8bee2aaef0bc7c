// KWOK's Stage (kwok.x-k8s.io/v1alpha1): a rule that, when a resource matches its selector,
// patches the resource's status after a delay, playing the part of the kubelet. The test
// bed serves its stages from the API server (KWOK --enable-crds=Stage), so they can be
// added and removed while KWOK runs. Only the fields the test bed writes are typed here.
import { LABEL } from '../contract/index.ts';

export const STAGE_GROUP = 'kwok.x-k8s.io';
export const STAGE_VERSION = 'v1alpha1';
export const STAGE_PLURAL = 'stages';
export const STAGE_CRD = `${STAGE_PLURAL}.${STAGE_GROUP}`;

/** What a test bed stage is for: the kubelet's normal behaviour, or a failing image. */
export const STAGE_ROLE_LABEL = 'testbed.essg.io/stage';
export type StageRole = 'kubelet' | 'fail-image';

/** A jq query on the resource and how its results must compare to the values. */
export interface StageExpression {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values?: readonly string[];
}

export interface KwokStage {
  readonly apiVersion: `${typeof STAGE_GROUP}/${typeof STAGE_VERSION}`;
  readonly kind: 'Stage';
  readonly metadata: { readonly name: string; readonly labels?: Readonly<Record<string, string>>; readonly annotations?: Readonly<Record<string, string>> };
  readonly spec: {
    readonly resourceRef: { readonly apiGroup: string; readonly kind: string };
    readonly selector: { readonly matchExpressions: readonly StageExpression[] };
    /** Among several stages matching at once, KWOK picks by weight; weight 0 loses to any positive weight. */
    readonly weight?: number;
    readonly delay?: { readonly durationMilliseconds?: number; readonly jitterDurationMilliseconds?: number; readonly durationFrom?: { readonly jq: { readonly expression: string } } };
    readonly next: {
      /** A Go template (with sprig) over the resource, rendering the YAML merged into its status. */
      readonly statusTemplate?: string;
      readonly event?: { readonly type: 'Normal' | 'Warning'; readonly reason: string; readonly message: string };
    };
  };
}

export function podStage({ name, role, annotations, selector, weight, delay, next }: { name: string; role: StageRole; annotations?: Record<string, string>; selector: readonly StageExpression[]; weight?: number; delay?: KwokStage['spec']['delay']; next: KwokStage['spec']['next'] }): KwokStage {
  return {
    apiVersion: `${STAGE_GROUP}/${STAGE_VERSION}`,
    kind: 'Stage',
    metadata: { name, labels: { [LABEL.managedBy]: 'essg-testbed', [STAGE_ROLE_LABEL]: role }, ...(annotations ? { annotations } : {}) },
    spec: {
      resourceRef: { apiGroup: 'v1', kind: 'Pod' },
      selector: { matchExpressions: selector },
      ...(weight !== undefined ? { weight } : {}),
      ...(delay ? { delay } : {}),
      next,
    },
  };
}

/** The pod is not being deleted. */
export const NOT_DELETING: StageExpression = { key: '.metadata.deletionTimestamp', operator: 'DoesNotExist' };

/** The jq result of one pod condition's status, e.g. `.status.conditions.[] | select(.type == "Ready") | .status`. */
export function conditionStatus(type: string): string {
  return `.status.conditions.[] | select(.type == ${JSON.stringify(type)}) | .status`;
}
