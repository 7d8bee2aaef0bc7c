// The diff stage: desired objects against live ones, per gateway (pure, no IO).
export { planGateway, atRevision, isNoop, type GatewayPlan, type PlanGatewayOptions, type PlannedCreate, type PlannedUpdate, type DriftEntry, type DriftReason } from './plan-gateway.ts';
export { formatGatewayPlans, gatewayPlanToJson, type FormatGatewayPlansOptions, type GatewayPlanFormat } from './format.ts';
export { groupLiveByGateway, liveForGateway, liveOfGateway, planView, planReads, type LiveByGateway } from './live.ts';
export { objectHash, inventoryEntry, sameInventory, type Inventory, type InventoryEntry } from './inventory.ts';
export { refOf, refKey, describeRef, compareRefs, componentOf, toRef, type ObjectRef, type OwnedRef, type LiveObject } from './refs.ts';
export { isSubset } from './compare.ts';
export { objectDiff } from './diff.ts';
export { planShared, planSharedWanted, withSharedDeletes, isShared, isSharedNoop, splitShared, SHARED_KINDS, type SharedPlan, type PlanSharedOptions, type SplitRender, type SharedWanted } from './plan-shared.ts';
