/**
 * The main thread's side of the digitiser's worker (readback-worker.ts): a small RPC over postMessage, started on
 * first use, with the main-thread fallback (the same readback-core code, loaded by dynamic import) when a worker
 * cannot start or crashes. Nothing here loads the digitiser itself, so importing this costs a page next to nothing.
 */
import type { ReadbackRequest, ReadbackResult } from './readback-core';

export interface ReadbackReply {
  id: number;
  ok: boolean;
  result?: ReadbackResult;
  error?: string;
}

export type Where = 'worker' | 'main';

class WorkerUnavailable extends Error {}

/** The picture's buffer copied and handed over (the caller keeps its own image). */
function transferOf(req: ReadbackRequest): { req: ReadbackRequest; transfer: ArrayBuffer[] } {
  if (req.kind !== 'digitise') return { req, transfer: [] };
  const data = req.image.data.slice();
  return { req: { ...req, image: { ...req.image, data } }, transfer: [data.buffer] };
}

export class ReadbackClient {
  private worker: Worker | null = null;
  private failed = false;
  private calls = new Map<number, { resolve: (r: ReadbackResult) => void; reject: (e: Error) => void }>();
  private callId = 0;

  constructor(private readonly start: () => Worker = defaultWorker) {}

  /** Runs a request in the worker, or on the main thread when there is none; `ms` is the wall time of the call. */
  async run(req: ReadbackRequest): Promise<ReadbackResult & { where: Where; ms: number }> {
    const t0 = performance.now();
    const w = this.getWorker();
    if (w) {
      try {
        return { ...(await this.call(w, req)), where: 'worker', ms: performance.now() - t0 };
      } catch (e) {
        if (!(e instanceof WorkerUnavailable)) throw e;
      }
    }
    await new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    const { runReadback } = await import('./readback-core');
    return { ...(await runReadback(req)), where: 'main', ms: performance.now() - t0 };
  }

  terminate(): void {
    this.worker?.terminate();
    this.worker = null;
  }

  private call(w: Worker, req: ReadbackRequest): Promise<ReadbackResult> {
    return new Promise<ReadbackResult>((resolve, reject) => {
      const id = ++this.callId;
      this.calls.set(id, { resolve, reject });
      const { req: sent, transfer } = transferOf(req);
      w.postMessage({ id, req: sent }, transfer);
    });
  }

  private getWorker(): Worker | null {
    if (this.worker || this.failed) return this.worker;
    try {
      const w = this.start();
      w.onmessage = (e: MessageEvent<ReadbackReply>) => this.settle(e.data);
      w.onerror = (e) => {
        // it could not start (or crashed): everything runs on the main thread from now on
        e.preventDefault();
        this.failed = true;
        w.terminate();
        this.worker = null;
        const pending = [...this.calls.values()];
        this.calls.clear();
        for (const c of pending) c.reject(new WorkerUnavailable());
      };
      this.worker = w;
    } catch {
      this.failed = true;
    }
    return this.worker;
  }

  private settle(reply: ReadbackReply): void {
    const call = this.calls.get(reply.id);
    if (!call) return;
    this.calls.delete(reply.id);
    if (reply.ok && reply.result) call.resolve(reply.result);
    else call.reject(new Error(reply.error ?? 'reading the picture back failed'));
  }
}

function defaultWorker(): Worker {
  return new Worker(new URL('./readback-worker.ts', import.meta.url), { type: 'module' });
}
