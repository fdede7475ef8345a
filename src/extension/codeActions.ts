/**
 * Quick fixes on audited rows: relabel to the suggested label, swap positive and negative,
 * replace a negative with a mined one (or make a false negative the positive), mark as reviewed. A fix whose row changed since the audit is still listed, but applying it only
 * says why it was refused (VS Code hides `disabled` actions from the Ctrl+. menu, so a disabled
 * action would give no message at all).
 */
import * as vscode from 'vscode';
import type { AuditController, FileAudit } from './auditController';
import { DIAGNOSTIC_SOURCE } from './diagnostics';
import { COMMANDS } from './logic/commandIds';
import { relabelFix, swapFix, markReviewedFix, checkedRow, negativeToPositiveFix, removeRowFix, replaceNegativeFix, type FixResult } from './fixes';
import { rowPlace } from './logic/groups';
import { rowsInLines } from './logic/rowLookup';
import type { ReviewedStore } from './reviewedStore';

const REFUSED = ' (refused: the row changed since the audit)';
const MAX_ROWS = 5;
/** Mined replacements offered per row (the report keeps three). */
const MAX_REPLACEMENTS = 3;
/** A replacement's text in an action's title. */
const short = (t: string) => JSON.stringify(t.length > 60 ? `${t.slice(0, 59)}…` : t);

function refuse(action: vscode.CodeAction, reason: string): void {
  action.title += REFUSED;
  action.command = { command: COMMANDS.showRefusal, title: 'Why the fix was refused', arguments: [reason] };
}

class MarkReviewedAction extends vscode.CodeAction {
  constructor(readonly doc: vscode.TextDocument, readonly audit: FileAudit, readonly index: number) {
    super(`Mark row ${audit.audited.rows[index].row} as reviewed (keep it out of later flags)`, vscode.CodeActionKind.QuickFix);
  }
}

export class AuditCodeActions implements vscode.CodeActionProvider<vscode.CodeAction> {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };

  constructor(private readonly controller: AuditController, private readonly store: ReviewedStore) {}

  provideCodeActions(doc: vscode.TextDocument, range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const audit = this.controller.get(doc.uri);
    if (!audit) return [];
    const out: vscode.CodeAction[] = [];
    // A selection over the whole file must not build thousands of actions: the first few rows do.
    const audited = audit.audited.rows;
    const rows = rowsInLines(audited, range.start.line, range.end.line)
      .filter((i) => audit.findings.flagged(i) && !audit.reviewed.has(audited[i].row)).slice(0, MAX_ROWS);
    for (const i of rows) {
      const r = audit.view.row(i);
      const diagnostics = context.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE && d.range.start.line === r.line - 1);
      if (r.suggestedLabel !== undefined) {
        out.push(this.action(`Relabel row ${r.row} to "${r.suggestedLabel}"`, relabelFix(doc, audit, i, r.suggestedLabel), diagnostics, true));
      }
      if (r.leak && r.flags.includes('leak')) {
        const other = audit.group && rowPlace(audit.group.report, r.leak.row);
        const name = doc.uri.path.split('/').pop() ?? 'this file';
        out.push(this.action(`Remove row ${r.row} from ${name} (it repeats ${other ? `${other.name} line ${other.line}` : `row ${r.leak.row}`})`,
          removeRowFix(doc, audit, i), diagnostics, false));
      }
      if (audit.audited.kind === 'triplets' && (r.suggestedFix === 'swap-positive-negative' || r.category === 'hard')) {
        out.push(this.action(`Swap positive and negative of row ${r.row}`, swapFix(doc, audit, i), diagnostics, r.suggestedFix === 'swap-positive-negative'));
      }
      const falseNegative = r.flags.includes('false-negative');
      (r.replacements ?? []).slice(0, MAX_REPLACEMENTS).forEach((c, k) => {
        out.push(this.action(`Replace the negative with row ${c.row}: ${short(c.text)}`, replaceNegativeFix(doc, audit, i, k), diagnostics, k === 0 && falseNegative));
      });
      const first = r.replacements?.[0];
      if (falseNegative && first) {
        out.push(this.action(`Make the negative the positive, with row ${first.row}'s text as the negative`, negativeToPositiveFix(doc, audit, i, 0), diagnostics, false));
      }
      const mark = new MarkReviewedAction(doc, audit, i);
      mark.diagnostics = diagnostics;
      const check = checkedRow(doc, audit, i);
      if (!check.ok) refuse(mark, check.reason);
      out.push(mark);
    }
    return out;
  }

  async resolveCodeAction(action: vscode.CodeAction): Promise<vscode.CodeAction> {
    if (!(action instanceof MarkReviewedAction) || action.command) return action;
    const res = await markReviewedFix(action.doc, action.audit, action.index, this.store);
    if (res.ok) {
      action.edit = res.edit;
      action.command = { command: COMMANDS.saveReviewed, title: 'Save reviewed marks', arguments: [action.doc.uri] };
    } else {
      refuse(action, res.reason);
    }
    return action;
  }

  private action(title: string, fix: FixResult, diagnostics: vscode.Diagnostic[], preferred: boolean): vscode.CodeAction {
    const a = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
    a.diagnostics = diagnostics;
    a.isPreferred = preferred;
    if (fix.ok) a.edit = fix.edit; else refuse(a, fix.reason);
    return a;
  }
}
