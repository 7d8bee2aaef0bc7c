// One error class per way a render can fail. Each has a stable `code`, a `data` payload
// naming the bad values and `toJSON()`, so the CLI, the reconciler and the plan report
// them the same way. A model that passed the loader should hit none of these; they guard
// the rules rendering depends on.
import { FleetError } from '../errors/fleet-error.ts';

export abstract class RenderError<Data extends object> extends FleetError<Data> {}

export class UnknownGatewayError extends RenderError<{ gateway: string }> {
  readonly code = 'RENDER_UNKNOWN_GATEWAY';
  constructor(gateway: string) {
    super(`gateway '${gateway}' is not in the fleet`, { gateway });
  }
}

export class InvalidRenderTimeError extends RenderError<{ now: string }> {
  readonly code = 'RENDER_INVALID_TIME';
  constructor(now: string) {
    super(`'now' (${now}) is not an RFC 3339 time`, { now });
  }
}

export class CatalogVersionMissingError extends RenderError<{ service: string; version: string; usedBy: string }> {
  readonly code = 'RENDER_CATALOG_VERSION_MISSING';
  constructor(data: { service: string; version: string; usedBy: string }) {
    super(`${data.usedBy} needs ${data.service} ${data.version}, which the catalog does not publish`, data);
  }
}

export class HostPortMismatchError extends RenderError<{ service: string; version: string; port: string; containerPort: number; hostPort: number }> {
  readonly code = 'RENDER_HOST_PORT_MISMATCH';
  constructor(data: { service: string; version: string; port: string; containerPort: number; hostPort: number }) {
    super(
      `${data.service} ${data.version} runs in the host network, so port '${data.port}' must use the same host port (${data.hostPort}) as container port (${data.containerPort})`,
      data,
    );
  }
}

export class IpBlockListTooLargeError extends RenderError<{ gateway: string; bytes: number; limit: number }> {
  readonly code = 'RENDER_IP_BLOCK_LIST_TOO_LARGE';
  constructor(data: { gateway: string; bytes: number; limit: number }) {
    super(`the ip-block list of gateway '${data.gateway}' is ${data.bytes} bytes; a ConfigMap holds at most ${data.limit}: merge the blocked addresses into wider CIDR ranges`, data);
  }
}

export class EdrActionListTooLargeError extends RenderError<{ gateway: string; bytes: number; limit: number }> {
  readonly code = 'RENDER_EDR_ACTION_LIST_TOO_LARGE';
  constructor(data: { gateway: string; bytes: number; limit: number }) {
    super(`the EDR actions of gateway '${data.gateway}' are ${data.bytes} bytes; a ConfigMap holds at most ${data.limit}: end actions that are done, or act on fewer endpoints per gateway`, data);
  }
}

export class DuplicateObjectError extends RenderError<{ gateway: string; kind: string; name: string }> {
  readonly code = 'RENDER_DUPLICATE_OBJECT';
  constructor(data: { gateway: string; kind: string; name: string }) {
    super(`gateway '${data.gateway}' renders two ${data.kind} objects named '${data.name}': rename the service or response that clashes`, data);
  }
}
