// An in-memory ClusterClient for the apply orchestration's unit tests: it records the order
// of requests and fails the ones a test asks it to. The real client is proven against the
// test bed's API server in test/integration/apply*.test.ts.
import type { ClusterClient, DeleteOutcome } from '../../../src/apply/cluster-client.ts';
import { ObjectRequestError } from '../../../src/apply/errors.ts';
import { RequestCounter } from '../../../src/apply/request-counter.ts';
import { describeRef, refKey, refOf, type Inventory, type LiveObject, type ObjectRef } from '../../../src/diff/index.ts';
import type { K8sObject } from '../../../src/render/index.ts';

export type Failure = { status?: number; times: number };

export class MemoryCluster implements ClusterClient {
  readonly requests = new RequestCounter();
  readonly objects = new Map<string, LiveObject>();
  readonly inventories = new Map<string, Inventory>();
  readonly histories = new Map<string, string>();
  /** The edge nodes and our services' pods, as a test sets them: none unless it does. */
  nodes: LiveObject[] = [];
  pods: LiveObject[] = [];
  readonly log: string[] = [];
  /** By `verb Kind ns/name`: fail this many times with this status. */
  readonly failures = new Map<string, Failure>();

  private maybeFail(verb: 'apply' | 'delete' | 'get', ref: ObjectRef): void {
    const key = `${verb} ${describeRef(ref)}`;
    const failure = this.failures.get(key);
    if (failure && failure.times > 0) {
      failure.times--;
      this.log.push(`${key} failed`);
      throw new ObjectRequestError({ verb, object: ref, status: failure.status, reason: 'Injected', detail: 'injected failure' });
    }
  }

  async listOwned(): Promise<LiveObject[]> {
    this.requests.count('list');
    return [...this.objects.values()];
  }

  async apply(object: K8sObject): Promise<LiveObject> {
    this.requests.count('patch');
    this.maybeFail('apply', refOf(object));
    this.log.push(`apply ${describeRef(refOf(object))}`);
    this.objects.set(refKey(refOf(object)), object);
    return object;
  }

  async delete(ref: ObjectRef): Promise<DeleteOutcome> {
    this.requests.count('delete');
    this.maybeFail('delete', ref);
    this.log.push(`delete ${describeRef(ref)}`);
    return this.objects.delete(refKey(ref)) ? 'deleted' : 'absent';
  }

  async get(ref: ObjectRef): Promise<LiveObject | undefined> {
    this.requests.count('get');
    this.maybeFail('get', ref);
    return this.objects.get(refKey(ref));
  }

  async readInventory(gateway: string): Promise<Inventory | undefined> {
    this.requests.count('get');
    return this.inventories.get(gateway);
  }

  async listInventories(): Promise<Inventory[]> {
    this.requests.count('list');
    return [...this.inventories.values()];
  }

  async writeInventory(inventory: Inventory): Promise<void> {
    this.requests.count('patch');
    this.log.push(`write inventory ${inventory.gateway}`);
    // As on the cluster: the rollout state has its own field manager and survives an inventory write.
    const state = this.inventories.get(inventory.gateway)?.rolloutState;
    this.inventories.set(inventory.gateway, { ...inventory, ...(state !== undefined ? { rolloutState: state } : {}) });
  }

  async writeRolloutState(gateway: string, state: string): Promise<void> {
    this.requests.count('patch');
    this.log.push(`write rollout state ${gateway}`);
    const inventory = this.inventories.get(gateway) ?? { gateway, revision: '', renderHash: '', objects: [] };
    this.inventories.set(gateway, { ...inventory, rolloutState: state });
  }

  async listHistories(): Promise<{ gateway: string; text: string }[]> {
    this.requests.count('list');
    return [...this.histories].map(([gateway, text]) => ({ gateway, text }));
  }

  async writeHistory(gateway: string, text: string): Promise<void> {
    this.requests.count('patch');
    this.log.push(`write history ${gateway}`);
    this.histories.set(gateway, text);
  }

  async deleteHistory(gateway: string): Promise<DeleteOutcome> {
    this.requests.count('delete');
    this.log.push(`delete history ${gateway}`);
    return this.histories.delete(gateway) ? 'deleted' : 'absent';
  }

  async listEdgeNodes(): Promise<LiveObject[]> {
    this.requests.count('list');
    return [...this.nodes];
  }

  async listServicePods(): Promise<LiveObject[]> {
    this.requests.count('list');
    return [...this.pods];
  }

  async deleteInventory(gateway: string): Promise<DeleteOutcome> {
    this.requests.count('delete');
    this.log.push(`delete inventory ${gateway}`);
    return this.inventories.delete(gateway) ? 'deleted' : 'absent';
  }
}
