/** The arguments of `npm run train` (scripts/train.ts), also read by scripts/train-signals.ts for signal configs. */
import { defineCli } from './cli';

export const TRAIN_CLI = defineCli({
  command: 'npm run train --',
  summary:
    'Validates a training config, makes and checks its data, trains (PyTorch), exports to TF.js and checks parity.',
  options: {
    config: { type: 'string', value: 'FILE', help: 'training/configs/NAME.json (required)' },
    device: {
      type: 'string',
      value: 'cpu|cuda',
      help: "torch device (default: the config's, else cpu; signal models: cpu)",
    },
    threads: { type: 'string', value: 'N', help: "torch threads (default: the config's)" },
    epochs: { type: 'string', value: 'N', help: 'override the epochs (smoke runs; recorded in the log)' },
    'no-export-images': { type: 'boolean', default: false, help: 'fail instead of exporting missing shards' },
    'no-export-signals': { type: 'boolean', default: false, help: 'signal configs: fail instead of exporting signals' },
    'skip-parity': { type: 'boolean', default: false, help: 'skip the TF.js parity check' },
  },
  unknown: (arg) => `unknown option ${arg}`,
});
