/**
 * Audit results cached per file and content: the key is the file, a hash of its bytes and the
 * settings that need a re-train. Margin and distance are not in the key: a cached report is
 * re-scored at any margin from its distances. Least recently used entries go first.
 */
import type { AuditOptions } from '../../core/types';

/** The settings whose change means new embeddings or neighbours: everything but margin/distance. */
export function retrainKey(options: Partial<AuditOptions>): string {
  const keys = Object.keys(options).filter((k) => k !== 'margin' && k !== 'distance').sort();
  const picked: Record<string, unknown> = {};
  for (const k of keys) {
    const v = (options as Record<string, unknown>)[k];
    if (v !== undefined) picked[k] = v;
  }
  return JSON.stringify(picked);
}

export class AuditCache<V> {
  private readonly entries = new Map<string, V>();
  constructor(private readonly maxEntries = 16) {}

  private static key(file: string, contentHash: string, retrain: string): string {
    return `${file}\u0000${contentHash}\u0000${retrain}`;
  }

  get(file: string, contentHash: string, retrain: string): V | undefined {
    const k = AuditCache.key(file, contentHash, retrain);
    const v = this.entries.get(k);
    if (v !== undefined) { this.entries.delete(k); this.entries.set(k, v); }
    return v;
  }

  set(file: string, contentHash: string, retrain: string, value: V): void {
    const k = AuditCache.key(file, contentHash, retrain);
    this.entries.delete(k);
    this.entries.set(k, value);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  deleteFile(file: string): void {
    for (const k of [...this.entries.keys()]) if (k.startsWith(`${file}\u0000`)) this.entries.delete(k);
  }

  clear(): void { this.entries.clear(); }
  get size(): number { return this.entries.size; }
}
