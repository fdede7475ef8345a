/**
 * What the extension host needs from the audit panel (implemented in `panel.ts`). Kept apart so
 * the commands and the panel can be built and tested separately.
 */
import type { AuditReport, DistanceName } from '../core/types';

export type QuickFixKind = 'relabel' | 'swap' | 'mark-reviewed' | 'replace-negative' | 'negative-to-positive';

export interface PanelEvents {
  /** The user asked to see a row in the editor. */
  reveal(fileUri: string, row: number, line: number): void;
  /** The user moved the margin or changed the distance in the panel (already debounced). */
  marginChanged(margin: number, distance: DistanceName): void;
  /** The user pressed a fix button in the detail pane (`replacement`: which mined negative, for the fixes that use one). */
  applyFix(fileUri: string, row: number, fix: QuickFixKind, label?: string, replacement?: number): void;
}

export interface AuditPanelHost {
  /**
   * Shows (or updates) the panel with this report of the file at `fileUri`, as audited (the panel
   * re-scores it at the margin it is given), with the data-error flags of the `reviewed` rows
   * (data-row numbers) left off. The same report again with other marks sends only the marks.
   */
  showReport(fileUri: string, report: AuditReport, reviewed: ReadonlySet<number>): void;
  /** The margin or distance changed outside the panel (command, setting). */
  setMargin(margin: number, distance: DistanceName): void;
  /** Progress of a running audit, or undefined when none is running. */
  setBusy(message: string | undefined): void;
  dispose(): void;
}
