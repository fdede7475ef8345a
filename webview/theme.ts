/**
 * Colours for the canvases, read from VS Code's theme variables (--vscode-*) so light, dark and
 * high-contrast themes all read well. Cached; the cache is dropped when VS Code switches theme
 * (it changes the body's class and the root's style), and listeners redraw.
 */
import { CATEGORY_EASY, CATEGORY_HARD, CATEGORY_SEMI_HARD } from '../src/core/categories';
import { Emitter } from './emitter';

// Four chart colours that stay apart in every theme (the theme's yellow and red are too close to
// orange, and red means "hard" elsewhere in the panel); then fixed, well-separated hues.
const CHART_VARS: readonly [string, string][] = [
  ['--vscode-charts-blue', '#3794ff'], ['--vscode-charts-orange', '#d18616'], ['--vscode-charts-green', '#89d185'],
  ['--vscode-charts-purple', '#b180d7'],
];
const EXTRA_HUES = [185, 330, 55, 0, 265, 105, 25, 215];

export class Theme {
  readonly onChange = new Emitter<void>();
  private readonly cache = new Map<string, string>();
  private readonly observer = new MutationObserver(() => { this.cache.clear(); this.onChange.fire(); });

  constructor() {
    this.observer.observe(document.body, { attributes: true, attributeFilter: ['class', 'style'] });
    this.observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  }

  dispose(): void { this.observer.disconnect(); this.onChange.clear(); }

  colour(name: string, fallback: string): string {
    let v = this.cache.get(name);
    if (v === undefined) {
      v = getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
      this.cache.set(name, v);
    }
    return v;
  }

  font(px: number): string {
    return `${px}px ${this.colour('--vscode-font-family', 'sans-serif')}`;
  }

  /** Category colours indexed by category code (easy, semi-hard, hard). */
  categoryColours(): string[] {
    const out: string[] = [];
    out[CATEGORY_EASY] = this.colour('--vscode-charts-green', '#89d185');
    out[CATEGORY_SEMI_HARD] = this.colour('--vscode-charts-yellow', '#cca700');
    out[CATEGORY_HARD] = this.colour('--vscode-charts-red', '#f14c4c');
    return out;
  }

  /** A colour per label: four of the theme's chart colours, then hues with the theme's lightness. */
  labelColour(index: number): string {
    if (index < CHART_VARS.length) return this.colour(CHART_VARS[index][0], CHART_VARS[index][1]);
    const k = index - CHART_VARS.length;
    const hue = k < EXTRA_HUES.length ? EXTRA_HUES[k] : (k * 137.508) % 360;
    return `hsl(${hue.toFixed(0)} 65% ${this.isDark() ? 62 : 42}%)`;
  }

  /** Whether the editor background is dark (from its luminance). */
  isDark(): boolean {
    const bg = this.colour('--vscode-editor-background', '#1f1f1f');
    const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})/i.exec(bg);
    if (!m) return !document.body.classList.contains('vscode-light');
    const [r, g, b] = [m[1], m[2], m[3]].map((h) => parseInt(h, 16) / 255);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.5;
  }
}
