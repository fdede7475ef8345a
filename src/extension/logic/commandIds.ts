/** The extension's command ids (contributed in package.json; a unit test keeps the two in step). */
export const COMMANDS = {
  auditActiveFile: 'tripletAudit.auditActiveFile',
  auditFile: 'tripletAudit.auditFile',
  auditSelectedFiles: 'tripletAudit.auditSelectedFiles',
  openPanel: 'tripletAudit.openPanel',
  setMargin: 'tripletAudit.setMargin',
  clearResults: 'tripletAudit.clearResults',
  exportReport: 'tripletAudit.exportReport',
  exportCleaned: 'tripletAudit.exportCleaned',
  nextSuspiciousRow: 'tripletAudit.nextSuspiciousRow',
  previousSuspiciousRow: 'tripletAudit.previousSuspiciousRow',
  cancelAudit: 'tripletAudit.cancelAudit',
  /** Internal: saves the reviewed sidecar after a mark (hidden from the palette). */
  saveReviewed: 'tripletAudit.saveReviewed',
  /** Internal: says why a quick fix was refused (hidden from the palette). */
  showRefusal: 'tripletAudit.showRefusal',
} as const;
