/**
 * The generator's side of its render worker: a small RPC over postMessage ({ id, req } out, { id, ok, result |
 * error } back), and the main-thread fallback. If the worker cannot start (or crashes), every pending call and
 * every later one runs the same render-core code on the main thread instead, after a frame's yield so the page
 * can paint first. No DOM here beyond the Worker interface, so it is tested in Node with a stand-in worker.
 */
import type { CoreRequest, CoreResult } from './render-core';

export type Where = 'worker' | 'main';
export type Placed = CoreResult & { where: Where };

/** What render-worker.ts posts back. */
export interface WorkerReply {
  id: number;
  ok: boolean;
  result?: CoreResult;
  error?: string;
}

/** The part of a Worker this client uses. */
export type WorkerLike = Pick<Worker, 'postMessage' | 'terminate'> & {
  onmessage: ((e: MessageEvent<WorkerReply>) => void) | null;
  onerror: ((e: ErrorEvent) => void) | null;
};

export interface RenderClientOptions {
  /** Starts the worker; may throw (then the main thread is used). */
  startWorker: () => WorkerLike;
  /** Runs a request on the main thread (render-core's runCore, loaded on first use). */
  runLocal: (req: CoreRequest) => Promise<CoreResult>;
  /** Yields before main-thread work (default: the next animation frame). */
  yieldFrame?: () => Promise<void>;
}

export class WorkerUnavailable extends Error {
  constructor() {
    super('the render worker is unavailable');
  }
}

const nextFrame = () => new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r, 0)));

export class RenderClient {
  private worker: WorkerLike | null = null;
  private workerFailed = false;
  private calls = new Map<number, { resolve: (r: CoreResult) => void; reject: (e: Error) => void }>();
  private callId = 0;

  constructor(private readonly opts: RenderClientOptions) {}

  /** True once the worker has failed: everything runs on the main thread from then on. */
  get usesMainThread(): boolean {
    return this.workerFailed;
  }

  /** Runs a request in the worker (or, where = 'main' or without a worker, on the main thread). */
  async run(req: CoreRequest, where: Where = 'worker'): Promise<Placed> {
    const w = where === 'worker' ? this.getWorker() : null;
    if (w) {
      try {
        return { ...(await this.call(w, req)), where: 'worker' };
      } catch (e) {
        if (!(e instanceof WorkerUnavailable)) throw e;
      }
    }
    await (this.opts.yieldFrame ?? nextFrame)();
    return { ...(await this.opts.runLocal(req)), where: 'main' };
  }

  terminate(): void {
    this.worker?.terminate();
    this.worker = null;
  }

  private call(w: WorkerLike, req: CoreRequest): Promise<CoreResult> {
    return new Promise<CoreResult>((resolve, reject) => {
      const id = ++this.callId;
      this.calls.set(id, { resolve, reject });
      w.postMessage({ id, req });
    });
  }

  private getWorker(): WorkerLike | null {
    if (this.worker || this.workerFailed) return this.worker;
    try {
      const w = this.opts.startWorker();
      w.onmessage = (e) => this.settle(e.data);
      w.onerror = (e) => {
        // The worker could not start (or crashed): finish on the main thread from now on.
        e.preventDefault();
        this.workerFailed = true;
        w.terminate();
        this.worker = null;
        const pending = [...this.calls.values()];
        this.calls.clear();
        for (const c of pending) c.reject(new WorkerUnavailable());
      };
      this.worker = w;
    } catch {
      this.workerFailed = true;
    }
    return this.worker;
  }

  private settle(reply: WorkerReply): void {
    const call = this.calls.get(reply.id);
    if (!call) return;
    this.calls.delete(reply.id);
    if (reply.ok && reply.result) call.resolve(reply.result);
    else call.reject(new Error(reply.error ?? 'render failed'));
  }
}
