/**
 * Progressive enhancement for the static chart SVGs (they work without this script):
 * - a tooltip that reads each mark's <title> on hover or tap (keyboard and screen-reader users get the same
 *   numbers from the table toggle);
 * - run selection and linear/log toggles for figures that ship one pre-rendered panel per state.
 */

function initTooltips(figure: HTMLElement): void {
  const scroll = figure.querySelector<HTMLElement>('.chart-scroll');
  if (!scroll) return;
  // Move <title> text to data-tip so the browser's native tooltip does not double ours.
  scroll.querySelectorAll('svg title').forEach((t) => {
    const parent = t.parentElement;
    if (parent && parent.tagName.toLowerCase() !== 'svg') {
      parent.setAttribute('data-tip', t.textContent ?? '');
      t.remove();
    }
  });
  const tip = document.createElement('div');
  tip.className = 'chart-tooltip';
  tip.hidden = true;
  tip.setAttribute('role', 'status');
  scroll.appendChild(tip);
  const show = (target: Element, clientX: number, clientY: number) => {
    const text = target.getAttribute('data-tip');
    if (!text) return;
    tip.textContent = text;
    tip.hidden = false;
    const box = scroll.getBoundingClientRect();
    const x = clientX - box.left + scroll.scrollLeft;
    const y = clientY - box.top;
    const left = Math.min(Math.max(x + 12, 0), Math.max(scroll.clientWidth - tip.offsetWidth, 0));
    tip.style.left = `${left}px`;
    tip.style.top = `${Math.max(y - tip.offsetHeight - 8, 0)}px`;
  };
  scroll.addEventListener('pointermove', (e) => {
    const target = (e.target as Element | null)?.closest('[data-tip]');
    if (target) show(target, e.clientX, e.clientY);
    else tip.hidden = true;
  });
  scroll.addEventListener('pointerleave', () => {
    tip.hidden = true;
  });
}

function initSwitches(figure: HTMLElement): void {
  const controls = figure.querySelector<HTMLElement>('.chart-controls');
  if (!controls) return;
  controls.hidden = false;
  const select = controls.querySelector<HTMLSelectElement>('select[data-chart-select]');
  const logButton = controls.querySelector<HTMLButtonElement>('button[data-chart-log]');
  const status = controls.querySelector<HTMLElement>('[data-chart-status]');
  const update = () => {
    const run = select?.value ?? '';
    const scale = logButton?.getAttribute('aria-pressed') === 'true' ? 'log' : 'linear';
    figure.querySelectorAll<HTMLElement>('[data-run]').forEach((el) => {
      const s = el.dataset.scale ?? 'any';
      el.hidden = !(el.dataset.run === run && (s === 'any' || s === scale));
    });
    figure.querySelectorAll<HTMLElement>('[data-table-for]').forEach((el) => {
      el.hidden = el.dataset.tableFor !== run;
    });
    if (status && select) {
      const label = select.selectedOptions[0]?.textContent ?? run;
      status.textContent = `Showing ${label}, ${scale} loss scale.`;
    }
  };
  select?.addEventListener('change', update);
  logButton?.addEventListener('click', () => {
    const pressed = logButton.getAttribute('aria-pressed') === 'true';
    logButton.setAttribute('aria-pressed', String(!pressed));
    update();
  });
  update();
}

function init(): void {
  document.querySelectorAll<HTMLElement>('.chart-figure').forEach((figure) => {
    if (figure.dataset.enhanced) return;
    figure.dataset.enhanced = 'true';
    initTooltips(figure);
    initSwitches(figure);
  });
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
else init();
document.addEventListener('astro:page-load', init);
