/**
 * Scores `analyzeUtterance` against the labeled corpus in `test/fixtures/utterances/corpus.jsonl`:
 * precision and recall per fact kind. Each line lists the facts that must be found; any fact it
 * does not list must not be found.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { analyzeUtterance } from '../src/analysis/index.ts';
import type { UtteranceFacts } from '../src/analysis/types.ts';

const ExpectSchema = z.strictObject({
  concessions: z.array(z.strictObject({ kind: z.string(), value: z.number().nullable() })).optional(),
  commitments: z.array(z.string()).optional(),
  consent: z.enum(['granted', 'declined']).optional(),
  optOut: z.literal(true).optional(),
  asksIfAI: z.literal(true).optional(),
  deniesBeingAI: z.literal(true).optional(),
  pressure: z.literal(true).optional(),
  pii: z.array(z.string()).optional(),
});
const LineSchema = z.strictObject({ text: z.string(), speaker: z.enum(['agent', 'customer']), expect: ExpectSchema });
export type CorpusLine = z.infer<typeof LineSchema>;

export const CORPUS_PATH = new URL('./fixtures/utterances/corpus.jsonl', import.meta.url);

export function readCorpus(path: URL = CORPUS_PATH): CorpusLine[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      const parsed = LineSchema.safeParse(JSON.parse(l));
      if (!parsed.success) throw new Error(`corpus line ${i + 1}: ${parsed.error.message}`);
      return parsed.data;
    });
}

export interface KindScore {
  kind: string;
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
}

export interface Miss {
  text: string;
  kind: string;
  type: 'missed' | 'spurious';
  detail: string;
}

type Item = { kind: string; value?: number | null };

/** The items of every kind that an expectation or a result holds. */
function itemsOfExpect(e: CorpusLine['expect']): Item[] {
  const items: Item[] = [];
  for (const c of e.concessions ?? []) items.push({ kind: `concession:${c.kind}`, value: c.value });
  for (const k of e.commitments ?? []) items.push({ kind: `commitment:${k}` });
  if (e.consent) items.push({ kind: `consent:${e.consent}` });
  if (e.optOut) items.push({ kind: 'optOut' });
  if (e.asksIfAI) items.push({ kind: 'asksIfAI' });
  if (e.deniesBeingAI) items.push({ kind: 'deniesBeingAI' });
  if (e.pressure) items.push({ kind: 'pressure' });
  for (const k of e.pii ?? []) items.push({ kind: `pii:${k}` });
  return items;
}

function itemsOfFacts(f: UtteranceFacts): Item[] {
  return itemsOfExpect({
    concessions: f.concessions.map((c) => ({ kind: c.kind, value: c.value })),
    commitments: f.commitments.map((c) => c.kind),
    ...(f.consent ? { consent: f.consent } : {}),
    ...(f.optOut ? { optOut: true as const } : {}),
    ...(f.asksIfAI ? { asksIfAI: true as const } : {}),
    ...(f.deniesBeingAI ? { deniesBeingAI: true as const } : {}),
    ...(f.pressure ? { pressure: true as const } : {}),
    pii: f.pii.map((p) => p.kind),
  });
}

function same(expected: Item, found: Item): boolean {
  if (expected.kind !== found.kind) return false;
  if (expected.value === undefined || expected.value === null) return true;
  return typeof found.value === 'number' && Math.abs(found.value - expected.value) < 0.01;
}

/** Scores the corpus; rows per kind plus an aggregate `concession` row. */
export function scoreCorpus(lines: readonly CorpusLine[]): { rows: KindScore[]; misses: Miss[] } {
  const counts = new Map<string, { tp: number; fp: number; fn: number }>();
  const bump = (kind: string, key: 'tp' | 'fp' | 'fn'): void => {
    for (const k of kind.startsWith('concession:') ? [kind, 'concession'] : [kind]) {
      const c = counts.get(k) ?? { tp: 0, fp: 0, fn: 0 };
      c[key]++;
      counts.set(k, c);
    }
  };
  const misses: Miss[] = [];
  for (const line of lines) {
    const expected = itemsOfExpect(line.expect);
    const found = itemsOfFacts(analyzeUtterance(line.text, line.speaker));
    const unmatched = [...found];
    for (const e of expected) {
      const i = unmatched.findIndex((f) => same(e, f));
      if (i >= 0) {
        unmatched.splice(i, 1);
        bump(e.kind, 'tp');
      } else {
        bump(e.kind, 'fn');
        misses.push({ text: line.text, kind: e.kind, type: 'missed', detail: JSON.stringify(e) });
      }
    }
    for (const f of unmatched) {
      bump(f.kind, 'fp');
      misses.push({ text: line.text, kind: f.kind, type: 'spurious', detail: JSON.stringify(f) });
    }
  }
  const rows = [...counts.entries()]
    .map(([kind, c]) => ({
      kind,
      ...c,
      precision: c.tp + c.fp === 0 ? 1 : c.tp / (c.tp + c.fp),
      recall: c.tp + c.fn === 0 ? 1 : c.tp / (c.tp + c.fn),
    }))
    .sort((a, b) => a.kind.localeCompare(b.kind));
  return { rows, misses };
}

export function formatTable(rows: readonly KindScore[]): string {
  const head = `${'kind'.padEnd(26)} ${'tp'.padStart(4)} ${'fp'.padStart(4)} ${'fn'.padStart(4)} precision  recall`;
  const body = rows.map(
    (r) =>
      `${r.kind.padEnd(26)} ${String(r.tp).padStart(4)} ${String(r.fp).padStart(4)} ${String(r.fn).padStart(4)} ${r.precision.toFixed(3).padStart(9)} ${r.recall.toFixed(3).padStart(7)}`,
  );
  return [head, ...body].join('\n');
}
