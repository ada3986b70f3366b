/**
 * The report as a reader meets it (issue #13), on every built page at a desktop width (1280 px) and a phone
 * width (375 px):
 *  - no table hides a column: every cell of every table (the chart tables opened) lies inside the visible part
 *    of every box that clips it, so no number is cut off or needs sideways scrolling to be found; the page itself
 *    never scrolls sideways;
 *  - no number is printed with a machine's full precision (e.g. a threshold as 0.5469542238104541), no number has
 *    a space before its closing bracket or full stop ("0.905 )", "70.8% ."), and no study figure is cited as a bare
 *    "fig. N" (this page numbers its own figures);
 *  - on a phone the chapter menu opens from the keyboard and reaches every chapter.
 */
import type { Page } from '@playwright/test';
import { builtPages } from './helpers';
import { expect, test } from './fixtures';

const VIEWPORTS = [
  { width: 1280, height: 900 },
  { width: 375, height: 800 },
] as const;

// The demo fixture page is a test harness, not part of the report.
const PAGES = builtPages().filter((p) => !p.startsWith('demo/fixture-model'));

interface Clipped {
  table: string;
  column: string;
  row: number;
  cell: string;
  overflowPx: number;
}

/**
 * Cells of every rendered table that stick out of a box that clips them (an ancestor whose overflow-x is not
 * visible, or the viewport). Tables inside closed <details> are measured after the details are opened.
 */
async function clippedCells(
  page: Page,
): Promise<{ tables: number; cells: number; clipped: Clipped[]; pageOverflow: number }> {
  return page.evaluate(() => {
    for (const d of document.querySelectorAll('details')) d.open = true;
    const out: Clipped[] = [];
    let tables = 0;
    let cells = 0;
    for (const table of document.querySelectorAll('table')) {
      if (table.getClientRects().length === 0) continue; // not rendered (e.g. a [hidden] alternative)
      tables++;
      const name = (
        table.querySelector('caption')?.textContent ??
        table.closest('figure')?.querySelector('figcaption')?.textContent ??
        '(untitled)'
      )
        .trim()
        .slice(0, 80);
      const headers = [...table.querySelectorAll('thead th')].map((th) => (th.textContent ?? '').trim());
      // the horizontal window through which this table is seen
      let left = 0;
      let right = window.innerWidth;
      for (let el: HTMLElement | null = table.parentElement; el; el = el.parentElement) {
        const cs = getComputedStyle(el);
        if (cs.overflowX !== 'visible' && el !== document.body && el !== document.documentElement) {
          const r = el.getBoundingClientRect();
          const l = r.left + el.clientLeft;
          left = Math.max(left, l);
          right = Math.min(right, l + el.clientWidth);
        }
      }
      [...table.querySelectorAll('tr')].forEach((tr, row) => {
        [...tr.children].forEach((cell, col) => {
          const r = cell.getBoundingClientRect();
          if (r.width === 0 || r.height === 0) return;
          cells++;
          const over = Math.max(left - r.left, r.right - right);
          if (over > 1) {
            out.push({
              table: name,
              column: (cell as HTMLElement).dataset.label ?? headers[col] ?? String(col),
              row,
              cell: (cell.textContent ?? '').trim().slice(0, 40),
              overflowPx: Math.round(over),
            });
          }
        });
      });
    }
    return { tables, cells, clipped: out, pageOverflow: document.documentElement.scrollWidth - window.innerWidth };
  });
}

test.describe('tables fit, numbers read well', () => {
  for (const vp of VIEWPORTS) {
    test(`no table clips a column, no page scrolls sideways, at ${vp.width} px`, async ({ page }) => {
      await page.setViewportSize(vp);
      let tables = 0;
      const problems: string[] = [];
      for (const p of PAGES) {
        await page.goto(p);
        const r = await clippedCells(page);
        tables += r.tables;
        const byColumn = new Map<string, Clipped>();
        for (const c of r.clipped) byColumn.set(`${c.table} | ${c.column}`, c);
        for (const [k, c] of byColumn)
          problems.push(`/${p}: ${k} (e.g. row ${c.row} "${c.cell}", ${c.overflowPx} px out of view)`);
        if (r.pageOverflow > 1) problems.push(`/${p}: the page scrolls sideways by ${r.pageOverflow} px`);
      }
      expect(problems, `clipped table columns at ${vp.width} px`).toEqual([]);
      // the report has a dozen tables; if none were measured the check above proved nothing
      expect(tables).toBeGreaterThan(10);
    });
  }

  test('the clipping check finds a table that does not fit (self-test)', async ({ page }) => {
    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto('chapters/results/');
    await page.evaluate(() => {
      const wrap = document.createElement('div');
      wrap.className = 'report-table-scroll';
      wrap.innerHTML =
        `<table><caption>too wide</caption><thead><tr>${'<th>metric</th>'.repeat(12)}</tr></thead>` +
        `<tbody><tr>${'<td>0.123456 (0.1–0.2)</td>'.repeat(12)}</tr></tbody></table>`;
      wrap.querySelector('table')!.setAttribute('data-test-wide', '');
      for (const c of wrap.querySelectorAll('td,th')) (c as HTMLElement).style.whiteSpace = 'nowrap';
      document.querySelector('article')!.append(wrap);
    });
    const r = await clippedCells(page);
    expect(r.clipped.some((c) => c.table === 'too wide')).toBe(true);
  });

  test('numbers are formatted: no long raw decimals, no space before a closing bracket or full stop', async ({
    page,
  }) => {
    const problems: string[] = [];
    for (const p of PAGES) {
      await page.goto(p);
      const text = await page.evaluate(() => {
        for (const d of document.querySelectorAll('details')) d.open = true;
        return document.querySelector('main')?.innerText ?? '';
      });
      for (const m of text.matchAll(/(?<![\w.])\d+\.\d{7,}(?![\w.])/g)) problems.push(`/${p}: raw number ${m[0]}`);
      for (const m of text.matchAll(/\d%? [).](?=\s|$)/gm))
        problems.push(`/${p}: stray space in "${text.slice(Math.max(0, m.index! - 12), m.index! + 3)}"`);
      // the study's figures are named as the study's, never as a bare "fig. 6" beside this page's own Figure 6
      for (const m of text.matchAll(/\bfigs?\.\s*\d+/gi))
        problems.push(`/${p}: "${m[0]}" (write "the study's figure N")`);
    }
    expect(problems).toEqual([]);
  });
});

test.describe('chapter menu on a phone', () => {
  test('opens by keyboard and reaches every chapter', async ({ page }) => {
    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto('chapters/results/');
    await expect(page.locator('.chapter-nav-wide')).toBeHidden();
    const summary = page.locator('[data-chapter-menu] > summary');
    await expect(summary).toBeVisible();
    // the current chapter is named on the closed button
    await expect(summary).toContainText('Results');
    const box = await summary.boundingBox();
    expect(box!.height).toBeGreaterThanOrEqual(44);
    // Tab from the top of the page to the menu button, open it with Enter
    await page.keyboard.press('Tab'); // skip link
    let guard = 0;
    while (!(await summary.evaluate((s) => s === document.activeElement)) && guard++ < 5)
      await page.keyboard.press('Tab');
    await expect(summary).toBeFocused();
    await page.keyboard.press('Enter');
    const links = page.locator('[data-chapter-menu] ol a');
    const n = await links.count();
    expect(n).toBeGreaterThanOrEqual(10);
    for (let i = 0; i < n; i++) await expect(links.nth(i)).toBeVisible();
    // every chapter link is reachable with Tab, in order
    const reached: string[] = [];
    for (let i = 0; i < n; i++) {
      await page.keyboard.press('Tab');
      reached.push(
        await page.evaluate(() => (document.activeElement as HTMLAnchorElement | null)?.getAttribute('href') ?? ''),
      );
    }
    expect(reached).toEqual(await links.evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? '')));
    // Escape closes the menu and returns focus to its button
    await page.keyboard.press('Escape');
    await expect(links.first()).toBeHidden();
    await expect(summary).toBeFocused();
    // following a link from the menu opens that chapter
    await page.keyboard.press('Enter');
    await links.nth(2).focus();
    const href = await links.nth(2).getAttribute('href');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname.endsWith(href!.replace(/^.*\/chapters\//, '/chapters/')));
    await expect(page.locator('h1')).toBeVisible();
  });

  test('on a wide screen every chapter is in the header row and the menu button is not shown', async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto('');
    await expect(page.locator('.chapter-nav-wide a')).toHaveCount(
      await page.locator('[data-chapter-menu] ol a').count(),
    );
    await expect(page.locator('[data-chapter-menu] > summary')).toBeHidden();
  });
});
