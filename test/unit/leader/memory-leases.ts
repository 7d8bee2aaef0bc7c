// Leases held in memory with the API server's optimistic concurrency: writes must name the
// version they read, and a list returns every Lease with its labels, as a label selector would.
import { setTimeout as sleep } from 'node:timers/promises';
import { LeaseConflict, type LeaseClient, type LeaseRecord, type LeaseSpec, type ListedLease } from '../../../src/leader/index.ts';

/** How a replica reaches the store: a partitioned one's requests never come back, as with a dead network path. */
export interface Reach {
  readonly partitioned?: () => boolean;
}

async function reach(options: Reach): Promise<void> {
  await sleep(1);
  if (options.partitioned?.()) await new Promise(() => undefined);
}

export class MemoryLeases {
  private readonly leases = new Map<string, { record: LeaseRecord; labels: Readonly<Record<string, string>> }>();
  private version = 0;

  record(name: string): LeaseRecord | undefined {
    return this.leases.get(name)?.record;
  }

  client(name: string, labels: Readonly<Record<string, string>> = {}, options: Reach = {}): LeaseClient {
    return {
      get: async () => (await reach(options), this.record(name)),
      create: async (spec) => {
        await reach(options);
        if (this.leases.has(name)) throw new LeaseConflict({ lease: name, operation: 'create' });
        return this.write(name, spec, labels);
      },
      update: async (spec, resourceVersion) => {
        await reach(options);
        if (this.record(name)?.resourceVersion !== resourceVersion) throw new LeaseConflict({ lease: name, operation: 'update' });
        return this.write(name, spec, labels);
      },
    };
  }

  /** Every Lease carrying the label `key=value`. */
  lister(key: string, value: string, options: Reach = {}): () => Promise<readonly ListedLease[]> {
    return async () => {
      await reach(options);
      return [...this.leases].filter(([, lease]) => lease.labels[key] === value).map(([name, lease]) => ({ ...lease.record, name, labels: lease.labels }));
    };
  }

  /** Deletes the Lease if it is still at `resourceVersion`, as a delete with that precondition does. */
  async remove(name: string, resourceVersion: string): Promise<void> {
    await sleep(1);
    if (this.record(name)?.resourceVersion === resourceVersion) this.leases.delete(name);
  }

  names(): string[] {
    return [...this.leases.keys()].sort();
  }

  private write(name: string, spec: LeaseSpec, labels: Readonly<Record<string, string>>): LeaseRecord {
    this.version += 1;
    const record = { ...spec, resourceVersion: String(this.version) };
    this.leases.set(name, { record, labels });
    return record;
  }
}

/** The one Lease of plain leader election. */
export class MemoryLease {
  private readonly leases = new MemoryLeases();

  get record(): LeaseRecord | undefined {
    return this.leases.record('test');
  }

  client(options: Reach = {}): LeaseClient {
    return this.leases.client('test', {}, options);
  }
}
