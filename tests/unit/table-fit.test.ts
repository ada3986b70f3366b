import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { COLUMN_REM, STACK_STEPS, WIDE_REM, estimateTableRem, stackClass } from '../../src/lib/charts/table-fit';
import { fitTableHtml } from '../../src/lib/charts/table-html';

describe('tables that fit (table-fit.ts)', () => {
  it('a table stacks only in boxes narrower than it needs', () => {
    expect(stackClass(18)).toBe('fits');
    expect(stackClass(25)).toBe('stack-30');
    expect(stackClass(35)).toBe('stack-40');
    expect(stackClass(45)).toBe('stack-always'); // wider than the text column
    expect(stackClass(45, WIDE_REM)).toBe('stack-56'); // a wide figure gets 56rem on wide screens
    expect(stackClass(70, WIDE_REM)).toBe('stack-always');
  });

  it('wide numbers make a wide table; wrapping text does not', () => {
    const cols = [{ label: 'Model' }, { label: 'AUROC (95% CI)', numeric: true }];
    const narrow = estimateTableRem(cols, [['a', '0.9']]);
    const wide = estimateTableRem(cols, [['a', '0.891 (0.876–0.905)']]);
    expect(wide).toBeGreaterThan(narrow);
    const prose = estimateTableRem(
      [{ label: 'Text' }],
      [['a long sentence that will wrap at its spaces across several lines']],
    );
    expect(prose).toBeLessThan(15);
  });

  it('every stacking class has its container query in the stylesheet', () => {
    const css = readFileSync('src/styles/global.css', 'utf8');
    for (const s of STACK_STEPS) {
      expect(css).toMatch(new RegExp(`@container \\(max-width: ${s - 0.01}rem\\) \\{\\n  \\.table-fit \\.stack-${s},`));
    }
    expect(css).toContain('.table-fit .stack-always,');
    expect(STACK_STEPS).toContain(COLUMN_REM);
  });

  it("labels a markdown table's cells with their column and classes the table", () => {
    const html = fitTableHtml(
      '<table><thead><tr><th>Stage</th><th>Epochs</th></tr></thead><tbody><tr><td>Final</td><td>25</td></tr></tbody></table>',
    );
    expect(html).toContain('<td data-label="Stage">Final</td>');
    expect(html).toContain('<td data-label="Epochs">25</td>');
    expect(html).toMatch(/<table class="fits">/);
  });
});
