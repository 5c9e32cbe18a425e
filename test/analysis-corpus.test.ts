/**
 * Precision and recall of `analyzeUtterance` per fact kind over the labeled corpus
 * (test/fixtures/utterances/corpus.jsonl). Prints the table; fails below 0.97 recall for
 * concessions, opt-outs and AI denials, or below 0.95 precision for any kind (concessions counted
 * together).
 */
import { describe, expect, it } from 'vitest';
import { formatTable, readCorpus, scoreCorpus } from './analysis-score.ts';

const HOLDOUT = new URL('./fixtures/utterances/holdout.jsonl', import.meta.url);

const corpus = readCorpus();
const { rows, misses } = scoreCorpus(corpus);
const row = (kind: string) => {
  const r = rows.find((x) => x.kind === kind);
  if (!r) throw new Error(`no corpus row for ${kind}`);
  return r;
};

describe('analysis corpus', () => {
  it('has at least 400 labeled utterances from both speakers, with many negatives', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(400);
    expect(corpus.filter((l) => l.speaker === 'agent').length).toBeGreaterThan(150);
    expect(corpus.filter((l) => l.speaker === 'customer').length).toBeGreaterThan(150);
    expect(corpus.filter((l) => Object.keys(l.expect).length === 0).length).toBeGreaterThan(150);
    expect(corpus.filter((l) => l.text === l.text.toLowerCase() && !/[.,!?]/.test(l.text)).length).toBeGreaterThan(150);
  });

  it('reports precision and recall per fact kind', () => {
    console.log(
      `\n${formatTable(rows)}\n\nmisses:\n${misses.map((m) => `  ${m.type.padEnd(9)} ${m.kind.padEnd(26)} ${m.text}`).join('\n')}`,
    );
    expect(rows.length).toBeGreaterThan(15);
  });

  it.each(['concession', 'optOut', 'deniesBeingAI'])('%s: recall >= 0.97', (kind) => {
    expect(row(kind).recall).toBeGreaterThanOrEqual(0.97);
  });

  // Concessions are held to the bar as one kind (sub-kinds are printed above; some have ~20 cases).
  it('every fact kind: precision >= 0.95', () => {
    const low = rows
      .filter((r) => !r.kind.startsWith('concession:') && r.precision < 0.95)
      .map((r) => `${r.kind} ${r.precision.toFixed(3)}`);
    expect(low).toEqual([]);
  });
});

/**
 * A second set (test/fixtures/utterances/holdout.jsonl), written after the rules were tuned on the
 * main corpus, to see how they carry over to phrasings they were not written against. Its first
 * run scored concessions 0.79 precision / 0.68 recall; the gaps it showed were fixed in general
 * form (see docs/readme/analysis.md), so it is no longer unseen. It is held to a lower floor that
 * guards against regressions.
 */
describe('analysis holdout', () => {
  const holdout = scoreCorpus(readCorpus(HOLDOUT));
  it('reports precision and recall per fact kind', () => {
    console.log(`\nholdout\n${formatTable(holdout.rows)}`);
    expect(readCorpus(HOLDOUT).length).toBeGreaterThanOrEqual(90);
  });
  it.each(['concession', 'optOut', 'deniesBeingAI'])('%s: recall >= 0.9 and precision >= 0.9', (kind) => {
    const r = holdout.rows.find((x) => x.kind === kind);
    expect(r?.recall).toBeGreaterThanOrEqual(0.9);
    expect(r?.precision).toBeGreaterThanOrEqual(0.9);
  });
});
