// What a render thread runs (see render-pool.ts): a batch of gateways' gathered inputs
// synthesized, each on its own, so one gateway's failure is its own answer and spares the rest.
import { renderInputs, type RenderedGateway } from './render-gateway.ts';
import type { GatewayInputs } from './inputs.ts';

/** One gateway to synthesize: its inputs and the keys they were gathered under (see renderInputs). */
export interface RenderJob {
  readonly inputs: GatewayInputs;
  readonly key: string;
  readonly operatorKey: string;
}

/** A render thread's answer for one job: the render, or why it failed, with the error's code. */
export type RenderOutcome =
  | { readonly ok: true; readonly rendered: RenderedGateway }
  | { readonly ok: false; readonly code: string; readonly message: string };

export function renderJob(job: RenderJob): RenderOutcome {
  try {
    return { ok: true, rendered: renderInputs(job) };
  } catch (error) {
    return failedRender(error);
  }
}

/** A render error as an outcome: its stable code (`RENDER_…`), RENDER_FAILED for an error without one. */
export function failedRender(error: unknown): Extract<RenderOutcome, { ok: false }> {
  const code = (error as { code?: unknown }).code;
  return { ok: false, code: typeof code === 'string' ? code : 'RENDER_FAILED', message: error instanceof Error ? error.message : String(error) };
}

export default function runRenderTask(jobs: readonly RenderJob[]): RenderOutcome[] {
  return jobs.map(renderJob);
}
