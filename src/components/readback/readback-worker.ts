/// <reference lib="webworker" />
/**
 * The digitiser's Web Worker: runs readback-core off the main thread (reading a phone photo back takes longer than
 * a frame). Messages: { id, req: ReadbackRequest } in, { id, ok: true, result } or { id, ok: false, error } out;
 * the result's buffers are transferred, not copied.
 */
import { errorMessage } from '../../lib/errors';
import type { ReadbackReply } from './readback-client';
import { runReadback, transferables, type ReadbackRequest } from './readback-core';

declare const self: DedicatedWorkerGlobalScope;

self.onmessage = async (e: MessageEvent<{ id: number; req: ReadbackRequest }>) => {
  const { id, req } = e.data;
  try {
    const result = await runReadback(req);
    self.postMessage({ id, ok: true, result } satisfies ReadbackReply, transferables(result));
  } catch (err) {
    self.postMessage({ id, ok: false, error: errorMessage(err) } satisfies ReadbackReply);
  }
};
