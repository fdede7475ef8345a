/** Hover on an audited row that raises a finding: category, distances, loss, evidence, neighbours. */
import * as vscode from 'vscode';
import type { AuditController } from './auditController';
import { hoverMarkdown } from './logic/hoverText';
import { rowPlace } from './logic/groups';
import { rowsInLines } from './logic/rowLookup';

export class AuditHover implements vscode.HoverProvider {
  constructor(private readonly controller: AuditController) {}

  provideHover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    const audit = this.controller.get(doc.uri);
    if (!audit) return undefined;
    const rows = audit.audited.rows;
    const i = rowsInLines(rows, pos.line, pos.line)[0];
    if (i === undefined) return undefined;
    const reviewed = audit.reviewed.has(rows[i].row);
    if (!reviewed && !audit.findings.flagged(i)) return undefined;
    const r = audit.view.row(i);
    const lineOf = (row: number): number | string | undefined => {
      const j = audit.index.get(row);
      if (j !== undefined) return rows[j].line;
      // a multi-file audit: a row of another file
      const other = audit.group && rowPlace(audit.group.report, row);
      return other ? `${other.name}:${other.line}` : undefined;
    };
    const md = new vscode.MarkdownString(hoverMarkdown(r, audit.view, lineOf, reviewed));
    const end = Math.min(r.endLine - 1, doc.lineCount - 1);
    return new vscode.Hover(md, new vscode.Range(r.line - 1, 0, end, doc.lineAt(end).text.length));
  }
}
