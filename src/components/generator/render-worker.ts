/// <reference lib="webworker" />
/**
 * The generator's Web Worker: runs render-core off the main thread so the page stays responsive while a
 * 2048 x 1536 dataset-1 sheet or a photo is drawn. Messages: { id, req: CoreRequest } in,
 * { id, ok: true, result } or { id, ok: false, error } out; image buffers are transferred, not copied.
 */
import { errorMessage } from '../../lib/errors';
import type { WorkerReply } from './render-client';
import { runCore, type CoreRequest } from './render-core';

declare const self: DedicatedWorkerGlobalScope;

self.onmessage = async (e: MessageEvent<{ id: number; req: CoreRequest }>) => {
  const { id, req } = e.data;
  try {
    const result = await runCore(req);
    const transfer = result.kind === 'render' ? result.images.map((img) => img.data.buffer as ArrayBuffer) : [];
    self.postMessage({ id, ok: true, result } satisfies WorkerReply, transfer);
  } catch (err) {
    self.postMessage({ id, ok: false, error: errorMessage(err) } satisfies WorkerReply);
  }
};
