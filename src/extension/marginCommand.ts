/** "Set Margin…": presets that name their distance, a margin suggested by the data, or a custom one. */
import * as vscode from 'vscode';
import { MARGIN_PRESETS, suggestMargin } from '../core/categories';
import { suggestSampledMargin } from '../core/sampledTriplets';
import type { DistanceName } from '../core/types';
import type { AuditController } from './auditController';
import { readSettings, writeMargin } from './settings';

interface Choice { margin: number; distance: DistanceName }
type Item = vscode.QuickPickItem & { choose(): Promise<Choice | undefined> };

const DISTANCES: readonly { id: DistanceName; detail: string }[] = [
  { id: 'euclidean', detail: 'L2 between L2-normalised embeddings (range 0..2)' },
  { id: 'squared-euclidean', detail: 'squared L2 (range 0..4), as FaceNet and TensorFlow Addons use' },
  { id: 'cosine', detail: '1 − cosine similarity (range 0..2)' },
];

async function pickDistance(current: DistanceName): Promise<DistanceName | undefined> {
  const items = DISTANCES.map((d) => ({ label: d.id, detail: d.detail, picked: d.id === current, description: d.id === current ? 'current' : undefined }));
  return (await vscode.window.showQuickPick(items, { title: 'Which distance does this margin mean?' }))?.label as DistanceName | undefined;
}

export async function setMarginCommand(controller: AuditController): Promise<void> {
  const s = readSettings();
  const audit = controller.current();
  // labeled rows: from the sampled training triplets; else from the rows' own triplets (rows
  // without distances are NaN in the view's columns, which suggestMargin skips: NaN gaps are not > 0)
  const sampled = audit?.audited.sampledTriplets;
  const suggested = sampled ? suggestSampledMargin(sampled, s.distance)
    : audit && audit.view.columns.scoredCount > 0 ? suggestMargin(audit.view.dAP, audit.view.dAN) : undefined;
  const items: Item[] = [
    ...MARGIN_PRESETS.map((p): Item => ({
      label: `${p.label}: ${p.margin}`, description: p.distance, detail: p.detail,
      choose: async () => ({ margin: p.margin, distance: p.distance }),
    })),
    {
      label: '$(graph) Suggest from the data',
      description: suggested !== undefined ? `${suggested} (${s.distance})` : 'audit a file first',
      detail: 'The median of d(a,n) − d(a,p) over the correctly ordered triplets of the current audit (labeled rows: the sampled training triplets): about half of them then carry loss.',
      choose: async () => {
        if (suggested === undefined) { void vscode.window.showInformationMessage('Triplet Audit: audit a file first to suggest a margin from its distances.'); return undefined; }
        return { margin: suggested, distance: s.distance };
      },
    },
    {
      label: '$(edit) Custom…', description: `now ${s.margin} (${s.distance})`,
      choose: async () => {
        const text = await vscode.window.showInputBox({
          title: 'Margin', value: String(s.margin), prompt: 'A number > 0, in the distance you pick next.',
          validateInput: (v) => (Number.isFinite(Number(v)) && Number(v) > 0 ? undefined : 'Enter a number greater than 0.'),
        });
        if (text === undefined) return undefined;
        const distance = await pickDistance(s.distance);
        return distance ? { margin: Number(text), distance } : undefined;
      },
    },
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Triplet Audit: set the margin', matchOnDetail: true,
    placeHolder: `Now ${s.margin} (${s.distance}). A margin means nothing without its distance.`,
  });
  const choice = await picked?.choose();
  if (choice) await writeMargin(choice.margin, choice.distance);
}
