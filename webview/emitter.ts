/** A tiny typed event emitter for the panel's components (no DOM: the model and row view use it, and run in plain Node in the unit tests). */
export class Emitter<T> {
  private listeners: ((value: T) => void)[] = [];

  on(listener: (value: T) => void): () => void {
    this.listeners.push(listener);
    return () => { this.listeners = this.listeners.filter((l) => l !== listener); };
  }

  fire(value: T): void {
    for (const l of this.listeners.slice()) l(value);
  }

  clear(): void { this.listeners = []; }
}
