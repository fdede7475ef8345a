/**
 * DOM helpers. Dataset text is untrusted: it only ever reaches the page through `textContent`
 * (never innerHTML), so markup in a cell is shown as text and runs nothing.
 */
type Attrs = Record<string, string | number | boolean | undefined>;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs, text?: string): HTMLElementTagNameMap[K];
export function el(tag: string, attrs?: Attrs, text?: string): HTMLElement;
export function el(tag: string, attrs: Attrs = {}, text?: string): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === 'class') e.className = String(v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  if (text !== undefined) e.textContent = text;
  return e;
}

export function append(parent: Element, ...children: (Node | undefined | false)[]): void {
  for (const c of children) if (c) parent.appendChild(c);
}

export function clear(node: Element): void {
  while (node.firstChild) node.removeChild(node.firstChild);
}

/** A value that a toolkit control (text field, dropdown, checkbox) exposes. */
export type ValueElement = HTMLElement & { value: string };
export type CheckElement = HTMLElement & { checked: boolean };

/** A toolkit dropdown with options; each option's text is set with textContent. */
export function dropdown(label: string, options: readonly { value: string; text: string }[], value: string): ValueElement {
  const d = el('vscode-dropdown', { 'aria-label': label, title: label }) as ValueElement;
  for (const o of options) d.appendChild(el('vscode-option', { value: o.value }, o.text));
  d.value = value;
  return d;
}

/** Reads a CSS variable from the body, with a fallback when the theme does not set it. */
export function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}

export { fmt } from './format';
