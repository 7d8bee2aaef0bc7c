// The change plan of a pull request: which gateways change between two commits, how, who
// has approved and whose approval that still needs. Produced by planChanges, printed by the
// formatters.
import type { GateDecision, GitHubUnavailableData } from '../gate/index.ts';

/** A problem that stops the plan, where the user can fix it (`FILE:LINE:COL`). */
export interface PlanProblem {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** A loader problem code, a render error code, or CATALOG_IMMUTABLE. */
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
}

export interface ServiceRef {
  readonly name: string;
  readonly version: string;
}

export interface ServiceUpgrade {
  readonly name: string;
  readonly from: string;
  readonly to: string;
  /** The new version is older than the old one (SemVer). */
  readonly downgrade: boolean;
}

export type GatewayChangeKind = 'added' | 'removed' | 'changed';

export interface GatewayChangePlan {
  readonly gateway: string;
  readonly customer: string;
  readonly change: GatewayChangeKind;
  readonly services: {
    readonly added: readonly ServiceRef[];
    readonly upgraded: readonly ServiceUpgrade[];
    readonly removed: readonly ServiceRef[];
    /** Services whose `config` changed at the same version. */
    readonly configChanged: readonly string[];
  };
  /** Active responses (not expired as of the plan time) acting on the gateway. */
  readonly responses: { readonly added: readonly string[]; readonly removed: readonly string[] };
  /** Images the gateway's head render runs that its base render does not: what its edge node must pull. */
  readonly imagesToPull: readonly string[];
  /** Rendered objects created, changed or deleted (a customer namespace shared with other gateways not counted). */
  readonly objectsChanged: number;
  /** The data policy its services read (data-policy.json) changes: its customer's allow-lists changed. */
  readonly dataPolicyChanged: boolean;
  /** What the change needs: a customer review, the operators (fleet.yaml/catalog changed), or nothing (pre-authorised response). */
  readonly needs: { readonly customer: boolean; readonly operators: boolean };
}

/** An approval that counts: given on the pull request's current head by a reviewer the rules credit. */
export interface ApprovalGiven {
  readonly login: string;
  /** The principal it counted through: the reviewer's own login or an `org/team`. */
  readonly via: string;
}

export interface ApprovalNeed {
  /** Approvals still missing; 0 once the pull request holds them all. */
  readonly required: number;
  /** GitHub logins or `org/team` who can give them (none once nothing is missing). */
  readonly approvers: readonly string[];
  /** Approvals already counted; empty when the reviews were not read. */
  readonly approvedBy: readonly ApprovalGiven[];
}

/** A review that gives no approval to any change of the plan, and why (an only-commenting reviewer is left out). */
export type ReviewNotCounted = GateDecision['notCounted'][number];

/** Whether the pull request's reviews went into the plan. */
export type PlanReviews =
  /** Not asked for (no pull request given, or nothing needs an approval): every approval is listed as needed. */
  | { readonly state: 'not-read' }
  | {
      readonly state: 'read';
      readonly pr: { readonly number: number; readonly url: string; readonly author: string; readonly headSha: string };
      readonly notCounted: readonly ReviewNotCounted[];
    }
  /** GitHub failed: every approval is listed as needed. */
  | { readonly state: 'unavailable'; readonly error: GitHubUnavailableData & { readonly message: string } };

export interface CustomerPlan {
  readonly customer: string;
  readonly gateways: readonly GatewayChangePlan[];
  /** Undefined when every change of the customer is pre-authorised. */
  readonly approval: ApprovalNeed | undefined;
}

export interface ChangePlanSummary {
  readonly gateways: number;
  readonly customers: number;
  readonly servicesAdded: number;
  readonly servicesUpgraded: number;
  readonly servicesRemoved: number;
  readonly configChanged: number;
  readonly imagesToPull: number;
}

/** Categories of site data (see DataCategory) that a change adds to or removes from a list. */
export interface CategoryChange {
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

/** A customer whose data allow-lists change: a change only that customer's review authorises. */
export interface CustomerDataChange {
  readonly customer: string;
  /** The customer file, customers/<customer>.yaml. */
  readonly file: string;
  /** `spec.dataCollection.allow`: what may be collected at the customer's sites. */
  readonly collection: CategoryChange;
  /** `spec.dataReporting.allow`: what may leave them for the SOC. */
  readonly reporting: CategoryChange;
  /** The lists at the head, as the customer's services will read them. */
  readonly allows: { readonly collect: readonly string[]; readonly report: readonly string[] };
}

/** A service whose collected or reported categories change on some gateways (added, removed, or another version). */
export interface ServiceDataChange {
  readonly customer: string;
  readonly service: string;
  /** The version before; absent when the service is added. */
  readonly from?: string;
  /** The version after; absent when the service is removed. */
  readonly to?: string;
  readonly collects: CategoryChange;
  readonly reports: CategoryChange;
  /** The gateways that make this change, by name. */
  readonly gateways: readonly string[];
}

/** The plan's data-authorisation section: what may be, and what will be, collected and reported. */
export interface DataAuthorisationChanges {
  readonly customers: readonly CustomerDataChange[];
  readonly services: readonly ServiceDataChange[];
}

export interface ChangePlan {
  /** False when the head fleet is invalid or a published catalog version was edited. */
  readonly ok: boolean;
  readonly revisions?: { readonly base: string; readonly head: string };
  /** The time responses and expiring services were judged at (RFC 3339). */
  readonly now: string;
  readonly problems: readonly PlanProblem[];
  /** Set when the base revision could not be loaded: every head gateway is shown as added. */
  readonly baseInvalid: boolean;
  readonly customers: readonly CustomerPlan[];
  /** Set when a gateway changes onto catalog versions or fleet settings other than the ones it was accepted on. */
  readonly operators: ApprovalNeed | undefined;
  /** Whether the approvals above count the reviews already given on the pull request. */
  readonly reviews: PlanReviews;
  /** Changes of what the customers allow and of what their services collect and report (empty when the plan is not ok). */
  readonly dataAuthorisation: DataAuthorisationChanges;
  readonly summary: ChangePlanSummary;
}
