import type { Decision, Directive } from '../model/index.ts';

const COLUMNS = [
  ['time', 7],
  ['call', 16],
  ['what', 24],
  ['outcome', 15],
  ['why', 0],
] as const;

const pad = (text: string, width: number) =>
  width === 0 ? text : text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);

/** Prints decisions and directives as a readable table, one row as each arrives. */
export class DecisionTable {
  constructor(
    private readonly write: (line: string) => void,
    private readonly t0: number,
  ) {}

  header(): void {
    this.write(COLUMNS.map(([name, w]) => pad(name, w)).join('  '));
    this.write(COLUMNS.map(([, w]) => '-'.repeat(w || 40)).join('  '));
  }

  private row(at: number, call: string, what: string, outcome: string, why: string): void {
    const cells = [`+${((at - this.t0) / 1000).toFixed(1)}s`, call, what, outcome, why];
    this.write(cells.map((c, i) => pad(c, COLUMNS[i]?.[1] ?? 0)).join('  '));
  }

  decision(call: string, d: Decision, label: string): void {
    const why = d.rationale.map((r) => r.message).join(' ');
    const extra =
      d.outcome === 'sanitize' && d.sanitized ? ` → sends: ${JSON.stringify(d.sanitized.text ?? d.sanitized)}` : '';
    this.row(Date.now(), call, label, d.outcome.toUpperCase(), `${why}${extra}`);
  }

  directive(call: string, d: Directive): void {
    this.row(Date.now(), call, `directive ${d.kind}`, '→ agent', `${d.message}${d.say ? ` Say: "${d.say}"` : ''}`);
  }

  note(call: string, what: string, text: string): void {
    this.row(Date.now(), call, what, '', text);
  }
}
