/**
 * The model cards (issue #13): every shipped model (public/models/*) has a card in the Limitations chapter, built
 * from data/eval, whose group figures are the ones in the evaluation files; and a shipped model without an
 * evaluation stops the build.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { evalFileName } from '../../src/lib/eval-files';
import { expect, test } from './fixtures';

const MODELS = 'public/models';
// every MI model that ships; the EKG check (task "ekg-gate") has no card: its figures are in the Results chapter;
// nor has the sheet-upright model (task "sheet-upright": its turns are counted in the eval files and chapter 6),
// nor the digitiser's trace segmenter (kind "trace-segmenter"): chapter 7 and training/README.md describe it
const shipped = readdirSync(MODELS, { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(path.join(MODELS, e.name, 'metadata.json')))
  .map(
    (e) =>
      JSON.parse(readFileSync(path.join(MODELS, e.name, 'metadata.json'), 'utf8')) as {
        name: string;
        styles: string[];
        task?: string;
        kind?: string;
      },
  )
  .filter((m) => m.task !== 'ekg-gate' && m.task !== 'sheet-upright' && m.kind !== 'trace-segmenter');

test('every shipped model has a card whose figures come from its data/eval files', async ({ page }) => {
  await page.goto('chapters/limitations/');
  for (const m of shipped) {
    const card = page.locator(`#model-card-${m.name}`);
    await expect(card, m.name).toBeVisible();
    for (const k of [
      'Intended use',
      'Not intended for',
      'Training data',
      'Evaluation data',
      'Metrics',
      'By sex and age',
      'Ethical considerations',
      'Caveats',
    ]) {
      await expect(card.locator('dt', { hasText: k }).first(), `${m.name}: ${k}`).toBeVisible();
    }
    for (const style of m.styles) {
      const file = `data/eval/${evalFileName({ model: m.name, style, fold: 10 })}`;
      type G = { key: string; label: string; auroc: number | null; auroc_ci: [number, number] | null };
      const e = JSON.parse(readFileSync(file, 'utf8')) as { auroc: number; subgroups?: { sex: G[]; age: G[] } };
      await expect(card, `${m.name}: cites ${file}`).toContainText(file);
      await expect(card).toContainText(e.auroc.toFixed(3));
      if (e.subgroups) {
        // a group whose AUROC interval lies wholly below another's is named in the caveats
        for (const by of ['sex', 'age'] as const) {
          const gs = e.subgroups[by].filter((g) => g.auroc !== null && g.auroc_ci && g.key !== 'unknown');
          const lo = gs.reduce((a, b) => (b.auroc! < a.auroc! ? b : a));
          const hi = gs.reduce((a, b) => (b.auroc! > a.auroc! ? b : a));
          await expect(card.locator(`[data-group-gap="${style}/${by}"]`)).toHaveCount(
            lo.auroc_ci![1] < hi.auroc_ci![0] ? 1 : 0,
          );
        }
        await card
          .locator('details.chart-table')
          .evaluateAll((ds) => ds.forEach((d) => ((d as HTMLDetailsElement).open = true)));
        const table = card.locator('table', { hasText: `${m.name} on ${style} images` });
        for (const g of [...e.subgroups.sex, ...e.subgroups.age]) {
          const row = table.locator('tr', { has: page.getByRole('rowheader', { name: g.label, exact: true }) });
          await expect(row, `${m.name}/${style}/${g.label}`).toContainText(g.auroc === null ? '—' : g.auroc.toFixed(3));
        }
      } else {
        await expect(card.locator('[data-subgroups-pending]')).toContainText(`--style ${style}`);
      }
    }
  }
});

test('a shipped model without an evaluation fails the build, with the command that makes it', async () => {
  test.setTimeout(300_000);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'card-build-'));
  const models = path.join(tmp, 'models');
  for (const dir of readdirSync(MODELS).filter((d) => existsSync(path.join(MODELS, d, 'metadata.json')))) {
    mkdirSync(path.join(models, dir), { recursive: true });
    copyFileSync(path.join(MODELS, dir, 'metadata.json'), path.join(models, dir, 'metadata.json'));
  }
  copyFileSync(path.join(MODELS, 'default.json'), path.join(models, 'default.json'));
  // a model that ships but was never evaluated
  const meta = JSON.parse(readFileSync(path.join(MODELS, shipped[0]!.name, 'metadata.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  mkdirSync(path.join(models, 'card-test'));
  writeFileSync(
    path.join(models, 'card-test', 'metadata.json'),
    JSON.stringify({ ...meta, name: 'card-test', styles: ['dataset2'] }),
  );
  const r = spawnSync('npx', ['astro', 'build', '--outDir', path.join(tmp, 'dist')], {
    env: { ...process.env, HEARTNET_MODELS_DIR: models },
    encoding: 'utf8',
    timeout: 280_000,
  });
  const out = `${r.stdout}\n${r.stderr}`;
  expect(r.status, out.slice(-2000)).not.toBe(0);
  expect(out).toContain('no evaluation of model "card-test" on style "dataset2"');
  expect(out).toMatch(/npm run eval -- --model \S*card-test --fold 10 --style dataset2/);
});
