/**
 * `npm run setup`: fetches PTB-XL into data/ptb-xl (idempotent: verified files are skipped) and builds the sample
 * bundle in public/samples. `npm run setup -- --help` for options.
 */
import { errorMessage } from '../src/lib/errors';
import { parseSetupArgs, runSetup } from './lib/ptbxl-setup';

async function main(): Promise<void> {
  const args = parseSetupArgs(process.argv.slice(2));
  const r = await runSetup(args);
  const line = `setup: ${r.requested} PTB-XL records ready in data/ptb-xl (${r.fetched} fetched, ${r.present} already there; CSVs ${r.csvs}; source ${r.source})${
    r.bundle ? `; ${r.bundle.records} samples in public/samples` : ''
  } in ${r.seconds.toFixed(1)} s`;
  console.log(line);
}

main().catch((err: unknown) => {
  console.error(`setup failed: ${errorMessage(err)}`);
  process.exit(1);
});
