/**
 * Characters that change or hide what a text says without being seen: bidi controls (an RLO makes
 * "txt.exe" read "exe.txt"), zero-width characters (two "identical" rows that differ), tag
 * characters (invisible ASCII), control characters. The detail pane shows each as a visible marker
 * (⟨RLO⟩, ⟨ZWSP⟩, ...) in place of the character, so that it cannot reorder or hide anything and
 * the user sees that it is there; a tooltip names it. Built with textContent only.
 */

const NAMES: Record<number, [string, string]> = {
  0x061c: ['ALM', 'ARABIC LETTER MARK'],
  0x200e: ['LRM', 'LEFT-TO-RIGHT MARK'],
  0x200f: ['RLM', 'RIGHT-TO-LEFT MARK'],
  0x202a: ['LRE', 'LEFT-TO-RIGHT EMBEDDING'],
  0x202b: ['RLE', 'RIGHT-TO-LEFT EMBEDDING'],
  0x202c: ['PDF', 'POP DIRECTIONAL FORMATTING'],
  0x202d: ['LRO', 'LEFT-TO-RIGHT OVERRIDE'],
  0x202e: ['RLO', 'RIGHT-TO-LEFT OVERRIDE'],
  0x2066: ['LRI', 'LEFT-TO-RIGHT ISOLATE'],
  0x2067: ['RLI', 'RIGHT-TO-LEFT ISOLATE'],
  0x2068: ['FSI', 'FIRST STRONG ISOLATE'],
  0x2069: ['PDI', 'POP DIRECTIONAL ISOLATE'],
  0x200b: ['ZWSP', 'ZERO WIDTH SPACE'],
  0x200c: ['ZWNJ', 'ZERO WIDTH NON-JOINER'],
  0x200d: ['ZWJ', 'ZERO WIDTH JOINER'],
  0x2060: ['WJ', 'WORD JOINER'],
  0x2061: ['FA', 'FUNCTION APPLICATION'],
  0x2062: ['IT', 'INVISIBLE TIMES'],
  0x2063: ['IS', 'INVISIBLE SEPARATOR'],
  0x2064: ['IP', 'INVISIBLE PLUS'],
  0xfeff: ['ZWNBSP', 'ZERO WIDTH NO-BREAK SPACE (BYTE ORDER MARK)'],
  0x180e: ['MVS', 'MONGOLIAN VOWEL SEPARATOR'],
  0x00ad: ['SHY', 'SOFT HYPHEN'],
  0x034f: ['CGJ', 'COMBINING GRAPHEME JOINER'],
  0x115f: ['HCF', 'HANGUL CHOSEONG FILLER'],
  0x1160: ['HJF', 'HANGUL JUNGSEONG FILLER'],
  0x3164: ['HF', 'HANGUL FILLER'],
  0xffa0: ['HWHF', 'HALFWIDTH HANGUL FILLER'],
  0x17b4: ['KIVAQ', 'KHMER VOWEL INHERENT AQ'],
  0x17b5: ['KIVAA', 'KHMER VOWEL INHERENT AA'],
  0x2028: ['LSEP', 'LINE SEPARATOR'],
  0x2029: ['PSEP', 'PARAGRAPH SEPARATOR'],
  0xfffc: ['OBJ', 'OBJECT REPLACEMENT CHARACTER'],
};

/** Every character the pane marks (tab and line feed are ordinary text there). */
export const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\u3164\ufeff\uffa0\ufffc]|[\u{e0000}-\u{e007f}]/u;
const ALL = new RegExp(INVISIBLE.source, 'gu');
const PICTOGRAPH = /\p{Extended_Pictographic}|\u{fe0f}|[\u{1f3fb}-\u{1f3ff}]/u;

export interface Invisible { short: string; name: string }

/** The marker and name of an invisible character. */
export function describeInvisible(ch: string): Invisible {
  const cp = ch.codePointAt(0) ?? 0;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  const known = NAMES[cp];
  if (known) return { short: known[0], name: `${hex} ${known[1]}` };
  if (cp >= 0xe0000) {
    const ascii = cp - 0xe0000;
    return { short: ascii >= 0x20 && ascii < 0x7f ? `TAG ${String.fromCharCode(ascii)}` : 'TAG', name: `${hex} TAG CHARACTER (invisible)` };
  }
  return { short: cp === 0x1b ? 'ESC' : cp === 0 ? 'NUL' : hex, name: `${hex} CONTROL CHARACTER` };
}

/** Whether the ZWJ at `i` joins two pictographs (an emoji sequence such as 👩‍💻), which it is there to do. */
function joinsEmoji(text: string, i: number): boolean {
  const before = String.fromCodePoint(text.codePointAt(i - 1) ?? 0);
  const lowBefore = i >= 2 ? String.fromCodePoint(text.codePointAt(i - 2) ?? 0) : '';
  const after = String.fromCodePoint(text.codePointAt(i + 1) ?? 0);
  return (PICTOGRAPH.test(before) || PICTOGRAPH.test(lowBefore)) && PICTOGRAPH.test(after);
}

/** Tag characters after a black flag spell a subdivision flag (🏴 + "gbeng" + cancel tag): that is what they are for. */
function inFlag(text: string, i: number): boolean {
  let j = i;
  while (j > 0) {
    const prev = text.codePointAt(j - 2);
    if (prev !== undefined && prev >= 0xe0000 && prev <= 0xe007f) { j -= 2; continue; }
    break;
  }
  return text.codePointAt(j - 2) === 0x1f3f4;
}

/** The invisible characters of `text` that are marked (emoji joiners and flag tags are left alone). */
export function invisibleCount(text: string): number {
  let n = 0;
  for (const m of text.matchAll(ALL)) if (!kept(text, m[0], m.index ?? 0)) n++;
  return n;
}

function kept(text: string, ch: string, i: number): boolean {
  if (ch === '\u200d') return joinsEmoji(text, i);
  if (ch.length === 2 || (ch.codePointAt(0) ?? 0) >= 0xe0000) return inFlag(text, i);
  return false;
}

/**
 * `text` as DOM nodes: runs of ordinary text as text nodes, each invisible character as
 * <span class="invisible-char" title="U+202E RIGHT-TO-LEFT OVERRIDE">RLO</span> (the brackets come
 * from CSS, so copying the text copies the name, not a character that would act again).
 */
export function visibleNodes(doc: Document, text: string): Node[] {
  const out: Node[] = [];
  let from = 0;
  for (const m of text.matchAll(ALL)) {
    const i = m.index ?? 0;
    if (kept(text, m[0], i)) continue;
    if (i > from) out.push(doc.createTextNode(text.slice(from, i)));
    const d = describeInvisible(m[0]);
    const span = doc.createElement('span');
    span.className = 'invisible-char';
    span.title = d.name;
    span.textContent = d.short;
    out.push(span);
    from = i + m[0].length;
  }
  if (from < text.length || out.length === 0) out.push(doc.createTextNode(text.slice(from)));
  return out;
}
