/**
 * The generator's side of its render worker: the shared worker RPC with main-thread fallback (../worker-rpc.ts)
 * typed for render-core's requests. Tested in Node with a stand-in worker (tests/unit/render-client.test.ts).
 */
import type { CoreRequest, CoreResult } from './render-core';
import {
  WorkerClient,
  type WorkerClientOptions,
  type WorkerLike as AnyWorkerLike,
  type WorkerReply as AnyWorkerReply,
  type Where,
} from '../worker-rpc';

export type { Where };
export type Placed = CoreResult & { where: Where };
/** What render-worker.ts posts back. */
export type WorkerReply = AnyWorkerReply<CoreResult>;
export type WorkerLike = AnyWorkerLike<CoreResult>;
export type RenderClientOptions = Omit<WorkerClientOptions<CoreRequest, CoreResult>, 'what' | 'transfer'>;

export class RenderClient extends WorkerClient<CoreRequest, CoreResult> {
  constructor(opts: RenderClientOptions) {
    super({ ...opts, what: 'render' });
  }
}
