/**
 * The main thread's side of the digitiser's worker (readback-worker.ts): the shared worker RPC with main-thread
 * fallback (../worker-rpc.ts; the fallback runs the same readback-core code, loaded by dynamic import), plus the
 * wall time of each call. Nothing here loads the digitiser itself, so importing this costs a page next to nothing.
 */
import { WorkerClient, type WorkerLike, type WorkerReply, type Where } from '../worker-rpc';
import type { ReadbackRequest, ReadbackResult } from './readback-core';

export type { Where };
/** What readback-worker.ts posts back. */
export type ReadbackReply = WorkerReply<ReadbackResult>;

/** The picture's buffer copied and handed over (the caller keeps its own image). */
function transferOf(req: ReadbackRequest): { req: ReadbackRequest; transfer: Transferable[] } {
  if (req.kind !== 'digitise') return { req, transfer: [] };
  const data = req.image.data.slice();
  const ink = req.ink ? { ...req.ink, data: req.ink.data.slice() } : undefined;
  return {
    req: { ...req, image: { ...req.image, data }, ...(ink ? { ink } : {}) },
    transfer: ink ? [data.buffer, ink.data.buffer] : [data.buffer],
  };
}

export class ReadbackClient {
  private readonly rpc: WorkerClient<ReadbackRequest, ReadbackResult>;

  constructor(start: () => Worker = defaultWorker) {
    this.rpc = new WorkerClient<ReadbackRequest, ReadbackResult>({
      startWorker: start as () => WorkerLike<ReadbackResult>,
      runLocal: async (req) => (await import('./readback-core')).runReadback(req),
      transfer: transferOf,
      what: 'digitiser',
    });
  }

  /** Runs a request in the worker, or on the main thread when there is none; `ms` is the wall time of the call. */
  async run(req: ReadbackRequest): Promise<ReadbackResult & { where: Where; ms: number }> {
    const t0 = performance.now();
    const r = await this.rpc.run(req);
    return { ...r, ms: performance.now() - t0 };
  }

  terminate(): void {
    this.rpc.terminate();
  }
}

function defaultWorker(): Worker {
  return new Worker(new URL('./readback-worker.ts', import.meta.url), { type: 'module' });
}
