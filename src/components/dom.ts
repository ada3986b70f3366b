/**
 * DOM helpers shared by the islands: required lookups that name what is missing, and element building without
 * HTML strings (no escaping to get wrong; no inline `style` attributes, which the Content-Security-Policy forbids).
 */

/** The first element matching `sel` inside `root`; throws naming the markup when there is none. */
export function q<T extends Element = HTMLElement>(root: ParentNode, sel: string, what = 'island'): T {
  const el = root.querySelector<T>(sel);
  if (!el) throw new Error(`${what} markup is missing ${sel}`);
  return el;
}

/** Every element matching `sel` inside `root`. */
export function qa<T extends Element = HTMLInputElement>(root: ParentNode, sel: string): T[] {
  return [...root.querySelectorAll<T>(sel)];
}

type Props = { className?: string; hidden?: boolean; type?: string; role?: string; data?: Record<string, string> };

/** `<tag>` with the given properties and children (strings become text nodes, never markup). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (props.className) e.className = props.className;
  if (props.hidden) e.hidden = true;
  if (props.type) e.setAttribute('type', props.type);
  if (props.role) e.setAttribute('role', props.role);
  for (const [k, v] of Object.entries(props.data ?? {})) e.dataset[k] = v;
  e.append(...children);
  return e;
}
