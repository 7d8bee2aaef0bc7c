// Renders one gateway: its inputs, through a GatewayChart in an App of its own, to plain
// JSON objects in apply order. Pure: the same model, gateway and `now` give the same objects.
import { App } from 'cdk8s';
import { sha256Hex } from './canonical.ts';
import type { FleetModel } from '../model/fleet-model.ts';
import { GatewayChart } from './constructs/gateway-chart.ts';
import { DuplicateObjectError, InvalidRenderTimeError, UnknownGatewayError } from './errors.ts';
import { gatewayInputs, operatorKey, renderKey, type GatewayInputs } from './inputs.ts';
import { compareObjects, type K8sObject } from './objects.ts';

export interface RenderedGateway {
  readonly gateway: string;
  readonly customer: string;
  /** The hash of everything the render depends on: equal hashes, equal objects. */
  readonly inputHash: string;
  /** The hash of the fleet settings and catalog files the render uses: what needs the operators (see operatorKey). */
  readonly operatorHash: string;
  /** In apply order: Namespace, ConfigMaps, Deployments, CronJobs, Jobs; by name within a kind. */
  readonly objects: readonly K8sObject[];
}

export interface RenderGatewayOptions {
  readonly model: FleetModel;
  readonly gateway: string;
  /** The render time (RFC 3339): services and responses that expire at or before it are left out. */
  readonly now: string;
}

/** Parses the render time; rendering never reads the clock itself. */
export function renderTime(now: string): number {
  const time = Date.parse(now);
  if (Number.isNaN(time) || !/^\d{4}-\d\d-\d\dT/.test(now)) throw new InvalidRenderTimeError(now);
  return time;
}

export function renderGateway({ model, gateway, now }: RenderGatewayOptions): RenderedGateway {
  const found = model.gateways.get(gateway);
  if (!found) throw new UnknownGatewayError(gateway);
  const time = renderTime(now);
  return renderInputs({ inputs: gatewayInputs({ model, gateway: found, now: time }), key: renderKey({ model, gateway: found, now: time }), operatorKey: operatorKey({ model, gateway: found, now: time }) });
}

/** Synthesizes the chart of already gathered inputs; `key` is their renderKey, `operatorKey` their operatorKey. */
export function renderInputs({ inputs, key, operatorKey: operators }: { readonly inputs: GatewayInputs; readonly key: string; readonly operatorKey: string }): RenderedGateway {
  const app = new App();
  const chart = new GatewayChart(app, inputs.gateway, { inputs });
  const objects = (chart.toJson() as K8sObject[]).sort(compareObjects);
  for (let i = 1; i < objects.length; i++) {
    const [a, b] = [objects[i - 1] as K8sObject, objects[i] as K8sObject];
    if (a.kind === b.kind && a.metadata.name === b.metadata.name) throw new DuplicateObjectError({ gateway: inputs.gateway, kind: a.kind, name: a.metadata.name });
  }
  return { gateway: inputs.gateway, customer: inputs.customer, inputHash: sha256Hex(key), operatorHash: sha256Hex(operators), objects };
}
