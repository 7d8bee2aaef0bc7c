// The engine's memory between passes: what each gateway's plan, health and report were last
// made from.

/**
 * Per gateway, the last value and the inputs it was made from. What a pass makes per gateway
 * (its plan, its health, its report) is pure: made from the same inputs — the same objects:
 * the watch cache and the loader hand out one object until it changes, and an inventory whose
 * rollout state alone changed keeps its list of objects — it is the same value, so a pass
 * that changed nothing makes nothing again.
 */
export class InputMemo<T> {
  private readonly last = new Map<string, { readonly inputs: readonly unknown[]; readonly value: T }>();
  private makes = 0;

  /** How many values were made, not kept, since this memo was created. */
  get made(): number {
    return this.makes;
  }

  get(gateway: string, inputs: readonly unknown[], make: () => T): T {
    const last = this.last.get(gateway);
    if (last && last.inputs.length === inputs.length && last.inputs.every((input, i) => input === inputs[i])) return last.value;
    this.makes++;
    const value = make();
    this.last.set(gateway, { inputs, value });
    return value;
  }

  /** Forgets the gateways this pass did not make a value for. */
  keepOnly(gateways: ReadonlySet<string>): void {
    for (const gateway of this.last.keys()) if (!gateways.has(gateway)) this.last.delete(gateway);
  }
}
