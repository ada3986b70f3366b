/**
 * Build-time pass over a rendered HTML table (a chapter's markdown table inside <Figure kind="table">): labels every
 * body cell with its column header (`data-label`) and gives the table the stacking class it needs
 * (src/lib/charts/table-fit.ts), the same treatment DataTable gives the charts' tables.
 */
import { parseHTML } from 'linkedom';
import { estimateTableRem, stackClass } from './table-fit';

export function fitTableHtml(html: string): string {
  const { document } = parseHTML(`<!doctype html><html><body><div id="root">${html}</div></body></html>`);
  const root = document.getElementById('root')!;
  for (const table of root.querySelectorAll('table')) {
    const heads = [...table.querySelectorAll('thead th')].map((th) => (th.textContent ?? '').trim());
    const rows = [...table.querySelectorAll('tbody tr')];
    const cells = rows.map((tr) => [...tr.children].map((c) => (c.textContent ?? '').trim()));
    rows.forEach((tr) => [...tr.children].forEach((c, i) => c.setAttribute('data-label', heads[i] ?? '')));
    const numeric = heads.map((_, i) => cells.every((r) => /^[\d.,%–−+\-\s≈]*$/.test(r[i] ?? '')));
    const need = estimateTableRem(
      heads.map((label, i) => ({ label, numeric: numeric[i] })),
      cells,
      { fontRem: 0.9, padRem: 1.2 },
    );
    table.classList.add(stackClass(need));
  }
  return root.innerHTML;
}
