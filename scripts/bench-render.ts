/**
 * `npm run bench:render [-- --seconds 2 --records 20 --styles dataset2,printout --json out.json]`
 *
 * Renders real PTB-XL records (the first --records ecg_ids present in data/ptb-xl) in every style, in this one
 * thread, and prints images/s and ms/image (wall clock and this process's CPU time; on a busy machine the
 * CPU time is the fairer figure). Also dataset2 render + preprocess to 256x256 (what export-images does per
 * image), and the projected time to export all 21,837 PTB-XL records in dataset2 style on 2 workers.
 */
import { errorMessage } from '../src/lib/errors';
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { preprocess, type InputSpec } from '../src/lib/model/preprocess';
import { readRecord, recordFiles, resolvePtbxlDir } from '../src/lib/ptbxl/node';
import type { EcgSignals } from '../src/lib/ptbxl/types';
import { render, STYLE_NAMES, type StyleName } from '../src/lib/render/index';
import { defineCli, parseCli } from './lib/cli';
import { parseNumberArg } from './lib/render-args';

const PTBXL_RECORDS = 21_837;

interface Row {
  name: string;
  images: number;
  wallMsPerImage: number;
  cpuMsPerImage: number;
  imagesPerSecond: number;
}

/** A fixed scalar loop, to tell a slow or overloaded machine from a slow renderer. */
function referenceLoopCpuMs(): number {
  const a = new Float32Array(1e6);
  for (let i = 0; i < a.length; i++) a[i] = i % 255;
  const c0 = process.cpuUsage();
  let s = 0;
  for (let k = 0; k < 100; k++) for (let i = 0; i < a.length; i++) s += a[i]! * 0.5;
  const c = process.cpuUsage(c0);
  if (s < 0) console.log(s);
  return (c.user + c.system) / 1000;
}

function measure(name: string, seconds: number, sigs: EcgSignals[], fn: (s: EcgSignals, k: number) => number): Row {
  // warm-up (JIT, cached grids)
  for (let k = 0; k < 3; k++) fn(sigs[k % sigs.length]!, k);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let images = 0;
  let k = 0;
  while (performance.now() - t0 < seconds * 1000 || k < 3) {
    images += fn(sigs[k % sigs.length]!, k);
    k++;
  }
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return {
    name,
    images,
    wallMsPerImage: wall / images,
    cpuMsPerImage: cpuMs / images,
    imagesPerSecond: (images * 1000) / wall,
  };
}

export const BENCH_RENDER_CLI = defineCli({
  command: 'npm run bench:render --',
  summary: 'Images/s and ms/image of every style in this one thread, on real PTB-XL records.',
  options: {
    seconds: { type: 'string', value: 'S', default: '2', help: 'time per style' },
    records: { type: 'string', value: 'N', default: '20', help: 'the first N records present in data/ptb-xl' },
    styles: { type: 'string', value: 'LIST', default: STYLE_NAMES.join(','), help: 'styles to time' },
    data: { type: 'string', value: 'DIR', help: 'PTB-XL folder (default: data/ptb-xl)' },
    json: { type: 'string', value: 'FILE', help: 'also write the figures as JSON' },
  },
});

export async function main(argv: string[]): Promise<void> {
  const { values } = parseCli(BENCH_RENDER_CLI, argv);
  const seconds = parseNumberArg('--seconds', values.seconds, { min: 0.1 });
  const nRec = parseNumberArg('--records', values.records, { integer: true, min: 1 });
  const styles = values.styles.split(',') as StyleName[];
  const dir = resolvePtbxlDir(values.data);
  const sigs: EcgSignals[] = [];
  for (let id = 1; id <= PTBXL_RECORDS && sigs.length < nRec; id++) {
    if (existsSync(recordFiles(dir, id).dat)) sigs.push(await readRecord(dir, id));
  }
  if (sigs.length === 0) throw new Error(`no PTB-XL records in ${dir}; run \`npm run setup\``);
  const load = os
    .loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');
  const refMs = referenceLoopCpuMs();
  console.log(
    `bench:render  node ${process.version}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? '?'}, load average ${load}`,
  );
  console.log(
    `reference loop (1e8 dependent float multiply-adds): ${refMs.toFixed(0)} cpu ms; a free modern desktop core takes ~100-150`,
  );
  console.log(`${sigs.length} records, ~${seconds} s per line, one thread\n`);
  const rows: Row[] = [];
  for (const style of styles) {
    rows.push(measure(style, seconds, sigs, (s, k) => render(s, { style, seed: k }).length));
  }
  const spec: InputSpec = { height: 256, width: 256, channels: 1, resize: 'letterbox-area', pad: 255 };
  const pre = measure('dataset2 + preprocess 256x256', seconds, sigs, (s, k) => {
    preprocess(render(s, { style: 'dataset2', seed: k })[0]!, spec);
    return 1;
  });
  rows.push(pre);
  const w = Math.max(...rows.map((r) => r.name.length));
  console.log(
    `${'style'.padEnd(w)}  ${'images/s'.padStart(9)}  ${'ms/image'.padStart(9)}  ${'cpu ms/image'.padStart(12)}`,
  );
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(w)}  ${r.imagesPerSecond.toFixed(1).padStart(9)}  ${r.wallMsPerImage.toFixed(2).padStart(9)}  ${r.cpuMsPerImage.toFixed(2).padStart(12)}`,
    );
  }
  // projection: 2 workers, each as fast as this thread (CPU time per image is what a free core would take)
  const perImageS = pre.cpuMsPerImage / 1000;
  const projected = (PTBXL_RECORDS * perImageS) / 2;
  const projectedWall = (PTBXL_RECORDS * pre.wallMsPerImage) / 1000 / 2;
  console.log(
    `\nprojected export of all ${PTBXL_RECORDS} records, dataset2 -> 256x256, 2 workers: ` +
      `${(projected / 60).toFixed(1)} min from CPU time per image (${(projectedWall / 60).toFixed(1)} min from wall time on this machine now)`,
  );
  if (values.json)
    writeFileSync(
      values.json,
      `${JSON.stringify({ node: process.version, load, referenceLoopCpuMs: refMs, records: sigs.length, rows, projectedMinutes: projected / 60 }, null, 2)}\n`,
    );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(`bench:render: ${errorMessage(err)}`);
    process.exit(1);
  });
}
