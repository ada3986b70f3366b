/** Worker thread of `npm run export-images`: renders the shards the main thread hands it. */
import { errorMessage } from '../../src/lib/errors';
import { parentPort, workerData } from 'node:worker_threads';
import { renderShard, type ExportSettings, type Plan } from './render-export';

interface Job {
  shard: number;
}

const { plan, settings } = workerData as { plan: Plan; settings: ExportSettings };
const port = parentPort;
if (!port) throw new Error('render-worker must run as a worker thread');

port.on('message', (job: Job | null) => {
  if (job === null) {
    port.close();
    return;
  }
  renderShard(plan, job.shard, settings, () => port.postMessage({ type: 'item' }))
    .then(() => port.postMessage({ type: 'done', shard: job.shard }))
    .catch((err: unknown) => port.postMessage({ type: 'error', shard: job.shard, message: errorMessage(err) }));
});
port.postMessage({ type: 'ready' });
