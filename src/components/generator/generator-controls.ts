/**
 * The generator's form controls: write the view state into them (syncControls) and turn their events into
 * state changes (bindControls). The state object is the controller's; these functions only read and assign it.
 */
import {
  canonicalFilters,
  MAX_SEED,
  randomSeed,
  type GeneratorState,
  type LeadChoice,
  type MiFilter,
  type Zoom,
} from '../../lib/generator-state';
import type { StyleName } from '../../lib/render/types';
import type { FilterName } from '../../lib/signal/filters';
import { qa } from '../dom';
import { filtersNote, seedHint } from './describe';
import { find } from './generator-view';

export interface ControlHost {
  readonly root: HTMLElement;
  readonly state: GeneratorState;
  /** The filters the image is drawn with (the state's, or the style's default). */
  effectiveFilters(): FilterName[];
  /** A control changed the state: update the view; redraw when the image depends on it. */
  changed(redraw: boolean): void;
  /** The MI filter changed: the record list must be refilled first. */
  miChanged(): void;
  download(): void;
  send(): void;
}

export function syncControls(host: ControlHost): void {
  const { root, state: s } = host;
  for (const r of qa(root, '[data-gen-mi]')) r.checked = r.value === s.mi;
  for (const r of qa(root, '[data-gen-style]')) r.checked = r.value === s.style;
  for (const r of qa(root, '[data-gen-zoom]')) r.checked = r.value === s.zoom;
  const eff = host.effectiveFilters();
  for (const c of qa(root, '[data-gen-filter]')) c.checked = eff.includes(c.value as FilterName);
  find<HTMLButtonElement>(root, '[data-gen-filters-default]').disabled = s.filters === null;
  const seed = find<HTMLInputElement>(root, '[data-gen-seed]');
  if (seed.value !== String(s.seed)) seed.value = String(s.seed);
  const lead = find<HTMLSelectElement>(root, '[data-gen-lead]');
  lead.value = s.lead;
  lead.disabled = s.style !== 'dataset4';
  find(root, '[data-gen-frame]').dataset.zoom = s.zoom;
  for (const c of qa<HTMLElement>(root, '[data-gen-caption]')) c.hidden = c.dataset.genCaption !== s.style;
  find(root, '[data-gen-seed-hint]').textContent = seedHint(s.style);
  find(root, '[data-gen-filters-note]').textContent = filtersNote(s.style, s.filters !== null);
}

/** Calls `set(value)` when one of the radio buttons matching `sel` becomes checked. */
function onRadio(root: HTMLElement, sel: string, set: (value: string) => void): void {
  for (const r of qa(root, sel)) {
    r.addEventListener('change', () => {
      if (r.checked) set(r.value);
    });
  }
}

export function bindControls(host: ControlHost): void {
  const { root, state } = host;
  onRadio(root, '[data-gen-mi]', (v) => {
    state.mi = v as MiFilter;
    host.miChanged();
  });
  const record = find<HTMLSelectElement>(root, '[data-gen-record]');
  record.addEventListener('change', () => {
    state.record = Number(record.value);
    host.changed(true);
  });
  onRadio(root, '[data-gen-style]', (v) => {
    state.style = v as StyleName;
    host.changed(true);
  });
  const lead = find<HTMLSelectElement>(root, '[data-gen-lead]');
  lead.addEventListener('change', () => {
    state.lead = lead.value as LeadChoice;
    host.changed(true);
  });
  bindSeed(host);
  const filters = qa(root, '[data-gen-filter]');
  for (const c of filters) {
    c.addEventListener('change', () => {
      state.filters = canonicalFilters(filters.filter((x) => x.checked).map((x) => x.value as FilterName));
      host.changed(true);
    });
  }
  find(root, '[data-gen-filters-default]').addEventListener('click', () => {
    state.filters = null;
    host.changed(true);
    filters[0]?.focus();
  });
  onRadio(root, '[data-gen-zoom]', (v) => {
    state.zoom = v as Zoom;
    host.changed(false);
  });
  const send = find(root, '[data-gen-send]');
  find(root, '[data-gen-download]').addEventListener('click', () => host.download());
  send.addEventListener('click', () => host.send());
  // The answer to "Send to the classifier" belongs next to that button, where the reader is looking (the status
  // line under the image is ~700 px further down). Moved while still empty, so nothing on screen shifts.
  const sendStatus = find(root, '[data-gen-send-status]');
  sendStatus.setAttribute('role', 'status');
  sendStatus.classList.add('gen-send-status');
  send.after(sendStatus);
}

/** The seed box: digits only, at most MAX_SEED (else marked invalid and restored on change); "new seed" button. */
function bindSeed(host: ControlHost): void {
  const { root, state } = host;
  const seed = find<HTMLInputElement>(root, '[data-gen-seed]');
  seed.addEventListener('input', () => {
    const v = seed.value.trim();
    if (!/^\d{1,10}$/.test(v) || Number(v) > MAX_SEED) {
      seed.setAttribute('aria-invalid', 'true');
      return;
    }
    seed.removeAttribute('aria-invalid');
    if (Number(v) === state.seed) return;
    state.seed = Number(v);
    host.changed(true);
  });
  seed.addEventListener('change', () => {
    if (seed.getAttribute('aria-invalid') === 'true') {
      seed.value = String(state.seed);
      seed.removeAttribute('aria-invalid');
    }
  });
  find(root, '[data-gen-newseed]').addEventListener('click', () => {
    state.seed = randomSeed();
    host.changed(true);
  });
  // step through consecutive seeds (wrapping at the ends), to see the range a style draws from
  for (const b of root.querySelectorAll<HTMLButtonElement>('[data-gen-seedstep]')) {
    b.addEventListener('click', () => {
      const step = Number(b.dataset.genSeedstep);
      state.seed = (((state.seed + step) % (MAX_SEED + 1)) + MAX_SEED + 1) % (MAX_SEED + 1);
      host.changed(true);
    });
  }
}
