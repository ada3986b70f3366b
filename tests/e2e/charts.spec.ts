/**
 * The figures page (`<base>/figures/`) against the built site: every chart is there with its numbered caption,
 * source line and table toggle; the tables show the numbers of the data files; hover read-outs, run selection and
 * the log toggle work; no console errors; no sideways scrolling on a 375 px phone; axe finds no WCAG 2.2 A/AA
 * violations (light and dark).
 */
import type { Page } from '@playwright/test';
import { test, expect, axeViolations } from './fixtures';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseCsv } from '../../src/lib/charts/csv';

const ROOT = resolve(import.meta.dirname ?? __dirname, '../..');

function csv(file: string): Record<string, string>[] {
  const [head, ...rows] = parseCsv(readFileSync(resolve(ROOT, file), 'utf8'));
  return rows.map((r) => Object.fromEntries(head!.map((h, i) => [h, r[i] ?? ''])));
}
function jsonFiles(dir: string): string[] {
  const abs = resolve(ROOT, dir);
  return existsSync(abs) ? readdirSync(abs).filter((f) => f.endsWith('.json')) : [];
}

const STUDY_FIGURES = [
  {
    id: 'fig-study-architectures',
    file: 'data/study/resnet_comparison.csv',
    source: /Published by the HeartNet study \(2021\), the study's figure 6/,
  },
  {
    id: 'fig-study-batch-size',
    file: 'data/study/batch_size_comparison.csv',
    source: /Published by the HeartNet study \(2021\), the study's figure 7/,
  },
  {
    id: 'fig-study-final',
    file: 'data/study/final_results.csv',
    source: /Published by the HeartNet study \(2021\), the study's figure 8/,
  },
  {
    id: 'fig-study-datasets',
    file: 'data/study/dataset_comparison.csv',
    source: /Published by the HeartNet study \(2021\), the study's figure 13/,
  },
];

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return errors;
}

async function openAllTables(page: Page) {
  await page.evaluate(() =>
    document.querySelectorAll('details.chart-table').forEach((d) => ((d as HTMLDetailsElement).open = true)),
  );
}

test.describe('figures page', () => {
  test('every chart has a numbered caption, a source line and a table toggle; no console errors', async ({ page }) => {
    const errors = watchErrors(page);
    await page.goto('figures/');
    await expect(page.locator('h1')).toHaveText('All figures');
    const figures = page.locator('figure.chart-figure:not(.results-table)');
    const n = await figures.count();
    expect(n).toBeGreaterThanOrEqual(5);
    for (let i = 0; i < n; i++) {
      const fig = figures.nth(i);
      const id = await fig.getAttribute('id');
      await expect(fig.locator('figcaption'), `${id} caption`).toContainText(new RegExp(`^\\s*Figure ${i + 1}\\.`));
      await expect(fig.locator('.chart-source'), `${id} source`).toContainText(
        /Published by the HeartNet study \(2021\)|Ours: run |Ours: /,
      );
      await expect(fig.locator('svg.chart-plot').first(), `${id} chart`).toBeVisible();
      const summary = fig.locator('details.chart-table > summary');
      await expect(summary, `${id} toggle`).toHaveCount(1);
      const table = fig.locator('details.chart-table table').first();
      await expect(table).toBeHidden();
      await summary.click();
      await expect(fig.locator('details.chart-table table:visible').first()).toBeVisible();
    }
    for (const { id, source } of STUDY_FIGURES) {
      await expect(page.locator(`#${id} .chart-source`)).toContainText(source);
    }
    await expect(page.locator('#fig-study-architectures figcaption')).toContainText(
      /Caveat: the ResNet152 row .* equals the batch-size-8 row/,
    );
    await expect(page.locator('#table-results')).toContainText('Table 1.');
    await expect(page.locator('#table-results .chart-source')).toContainText(
      "published by the HeartNet study (2021), the study's figure 8",
    );

    // Ours: charts only when data exists, a clear note otherwise.
    // HEARTNET_TRAINING_DIR / HEARTNET_EVAL_DIR: the same overrides as the build (fixture previews only).
    if (jsonFiles(process.env.HEARTNET_TRAINING_DIR ?? 'data/training').length === 0)
      await expect(page.locator('#no-training-runs')).toContainText('No training runs yet');
    else await expect(page.locator('#fig-our-loss')).toBeVisible();
    if (jsonFiles(process.env.HEARTNET_EVAL_DIR ?? 'data/eval').length === 0)
      await expect(page.locator('#no-eval-results')).toContainText('No evaluation results yet');
    else await expect(page.locator('#fig-eval-styles')).toBeVisible();

    expect(errors).toEqual([]);
  });

  test('the tables show the same values as the data files', async ({ page }) => {
    await page.goto('figures/');
    await openAllTables(page);
    for (const { id, file } of STUDY_FIGURES) {
      const rows = csv(file);
      const trs = page.locator(`#${id} details.chart-table tbody tr`);
      await expect(trs).toHaveCount(rows.length);
      for (let i = 0; i < rows.length; i++) {
        for (const key of ['error_rate', 'recall', 'precision', 'f1']) {
          const cell = (await trs.nth(i).locator(`[data-key="${key}"]`).textContent())!.trim();
          expect(Number(cell), `${id} row ${i + 1} ${key}`).toBe(Number(rows[i]![key]));
        }
      }
    }
    // Final runs also show their losses.
    const final = csv('data/study/final_results.csv');
    const cell = await page
      .locator('#fig-study-final tbody tr')
      .nth(3)
      .locator('[data-key="valid_loss"]')
      .textContent();
    expect(Number(cell)).toBe(Number(final[3]!.valid_loss));
  });

  test('loss curves: run selection, log toggle, best-epoch marker and per-run table', async ({ page }) => {
    const errors = watchErrors(page);
    await page.goto('figures/');
    const fig = page.locator('#fig-study-loss');
    const select = fig.locator('select[data-chart-select]');
    await expect(select).toBeVisible();
    await expect(fig.locator('[data-run="study-run-1"][data-scale="linear"]')).toBeVisible();
    await select.selectOption('study-run-3');
    await expect(fig.locator('[data-run="study-run-1"][data-scale="linear"]')).toBeHidden();
    await expect(fig.locator('[data-run="study-run-3"][data-scale="linear"]')).toBeVisible();
    await expect(fig.locator('[data-run="study-run-3"][data-scale="log"]')).toBeHidden();
    const logButton = fig.locator('button[data-chart-log]');
    await logButton.click();
    await expect(logButton).toHaveAttribute('aria-pressed', 'true');
    await expect(fig.locator('[data-run="study-run-3"][data-scale="log"]')).toBeVisible();
    await expect(fig.locator('[data-run="study-run-3"][data-scale="linear"]')).toBeHidden();
    await expect(fig.locator('[data-run="study-run-3"][data-scale="log"]')).toContainText('best');

    // The visible table is run 3's, with the numbers of the CSV.
    await fig.locator('details.chart-table > summary').click();
    const logs = csv('data/study/exploratory_training_logs.csv').filter((r) => r.run === '3');
    const trs = fig.locator('[data-table-for="study-run-3"] tbody tr');
    await expect(trs).toHaveCount(logs.length);
    await expect(fig.locator('[data-table-for="study-run-1"]')).toBeHidden();
    for (let i = 0; i < logs.length; i++) {
      const v = await trs.nth(i).locator('[data-key="val_loss"]').textContent();
      expect(Number(v)).toBe(Number(logs[i]!.valid_loss));
    }
    const best = logs.reduce((a, b) => (Number(b.valid_loss) < Number(a.valid_loss) ? b : a));
    await expect(trs.filter({ hasText: '*' })).toContainText((best.valid_loss ?? '').replace(/0+$/, ''));
    expect(errors).toEqual([]);
  });

  test('hovering a bar shows its value', async ({ page }) => {
    await page.goto('figures/');
    const bar = page.locator('#fig-study-final g[data-mark="bar"] rect').first();
    await bar.hover();
    const tip = page.locator('#fig-study-final .chart-tooltip');
    await expect(tip).toBeVisible();
    await expect(tip).toContainText(/ResNet50, batch 8: Error rate 10\.2%/);
  });

  test('fits a 375 px phone without sideways scrolling of the page', async ({ page }) => {
    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto('figures/');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await openAllTables(page);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    test(`axe finds no WCAG 2.2 A/AA violations (${colorScheme})`, async ({ page }) => {
      await page.emulateMedia({ colorScheme });
      await page.goto('figures/');
      await openAllTables(page);
      const violations = await axeViolations(page);
      expect(violations).toEqual([]);
    });
  }
});
