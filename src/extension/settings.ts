/** The extension's settings (`tripletAudit.*`), read into engine options and editor preferences. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AuditOptions, BackendName, ColumnOptions, DatasetKind, DistanceName } from '../core/types';
import { DEFAULT_OPTIONS } from '../core/types';
import { DEFAULT_SEVERITIES, type FindingKind, type SeverityName, type SeveritySettings } from './logic/findings';

export const SECTION = 'tripletAudit';

export interface ExtensionSettings {
  /** What the worker gets (margin and distance included: the report starts at them). */
  options: Partial<AuditOptions>;
  margin: number;
  distance: DistanceName;
  severities: SeveritySettings;
  reauditOnSave: boolean;
}

interface ColumnsSetting {
  text?: string; label?: string; anchor?: string; positive?: string; negative?: string;
  vector?: string; features?: string[]; kind?: DatasetKind;
  /** Multi-file audits: one file's own columns, by its base name. */
  files?: Record<string, ColumnsSetting>;
}

function columnOptions(c: ColumnsSetting, nested = false): ColumnOptions {
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
  const out: ColumnOptions = {
    textColumn: str(c.text), labelColumn: str(c.label), anchorColumn: str(c.anchor),
    positiveColumn: str(c.positive), negativeColumn: str(c.negative), vectorColumn: str(c.vector),
    featureColumns: Array.isArray(c.features) && c.features.length ? c.features.filter((f) => typeof f === 'string') : undefined,
    kind: c.kind === 'labeled' || c.kind === 'triplets' ? c.kind : undefined,
  };
  if (!nested && c.files && typeof c.files === 'object') {
    const files: NonNullable<ColumnOptions['fileColumns']> = {};
    for (const [name, own] of Object.entries(c.files)) if (own && typeof own === 'object') files[name] = columnOptions(own, true);
    if (Object.keys(files).length) out.fileColumns = files;
  }
  for (const k of Object.keys(out) as (keyof ColumnOptions)[]) if (out[k] === undefined) delete out[k];
  return out;
}

const SEVERITY_KEYS: Record<FindingKind, string> = {
  mislabeled: 'severity.mislabeled', hard: 'severity.hard', 'trivially-easy': 'severity.triviallyEasy',
  'near-duplicate': 'severity.nearDuplicate', invalid: 'severity.invalid', leak: 'severity.leak', 'false-negative': 'severity.falseNegative',
};

export function readSettings(scope?: vscode.Uri): ExtensionSettings {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  const margin = c.get<number>('margin', DEFAULT_OPTIONS.margin);
  const distance = c.get<DistanceName>('distance', DEFAULT_OPTIONS.distance);
  const severities = { ...DEFAULT_SEVERITIES };
  for (const k of Object.keys(SEVERITY_KEYS) as FindingKind[]) {
    severities[k] = c.get<SeverityName>(SEVERITY_KEYS[k], DEFAULT_SEVERITIES[k]);
  }
  return {
    options: {
      ...columnOptions(c.get<ColumnsSetting>('columns', {})),
      margin: margin > 0 ? margin : DEFAULT_OPTIONS.margin,
      distance,
      folds: c.get<number>('folds', DEFAULT_OPTIONS.folds),
      k: c.get<number>('k', DEFAULT_OPTIONS.k),
      seed: c.get<number>('seed', DEFAULT_OPTIONS.seed),
      backend: c.get<BackendName>('backend', DEFAULT_OPTIONS.backend),
      maxRows: c.get<number>('maxRows', 50000),
      ...(c.get<boolean>('trainOnTest', false) ? { trainOnTest: true } : {}),
      ...spaceOptions(c, scope),
    },
    margin: margin > 0 ? margin : DEFAULT_OPTIONS.margin,
    distance,
    severities,
    reauditOnSave: c.get<boolean>('reauditOnSave', true),
  };
}

/**
 * The user's own space (tripletAudit.embeddings / tripletAudit.model): paths relative to the
 * file's workspace folder (else to the file's folder) are made absolute for the audit job.
 */
function spaceOptions(c: vscode.WorkspaceConfiguration, scope?: vscode.Uri): Partial<AuditOptions> {
  const base = scope ? vscode.workspace.getWorkspaceFolder(scope)?.uri.fsPath ?? path.dirname(scope.fsPath) : undefined;
  const abs = (p: string) => (path.isAbsolute(p) || !base ? p : path.join(base, p));
  const raw = c.get<string | string[]>('embeddings', []);
  const embeddings = (Array.isArray(raw) ? raw : [raw]).filter((p) => typeof p === 'string' && p.trim()).map((p) => abs(p.trim()));
  const model = c.get<string>('model', '').trim();
  if (embeddings.length) return { embeddings };
  return model ? { model: abs(model) } : {};
}

/** Where margin/distance changes are written: the workspace when there is one. */
export async function writeMargin(margin: number, distance: DistanceName): Promise<void> {
  const c = vscode.workspace.getConfiguration(SECTION);
  const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  if (c.get<DistanceName>('distance') !== distance) await c.update('distance', distance, target);
  if (c.get<number>('margin') !== margin) await c.update('margin', margin, target);
}
