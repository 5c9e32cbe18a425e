/**
 * A small Prometheus text exposition (format 0.0.4): counters, gauges and histograms with labels.
 * Written here rather than adding prom-client: five metrics need ~100 lines and no dependency.
 */
type Labels = Record<string, string>;

const key = (labels: Labels) =>
  Object.keys(labels)
    .sort()
    .map((k) => `${k}="${String(labels[k]).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');

interface Metric {
  render(): string[];
}

export class Counter implements Metric {
  private readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly kind: 'counter' | 'gauge' = 'counter',
  ) {}
  inc(labels: Labels = {}, by = 1): void {
    const k = key(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }
  get(labels: Labels = {}): number {
    return this.values.get(key(labels)) ?? 0;
  }
  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.kind}`];
    if (this.values.size === 0 && this.kind === 'gauge') lines.push(`${this.name} 0`);
    for (const [k, v] of this.values) lines.push(`${this.name}${k ? `{${k}}` : ''} ${v}`);
    return lines;
  }
}

export class Gauge implements Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly read: () => number,
  ) {}
  render(): string[] {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`, `${this.name} ${this.read()}`];
  }
}

export class Histogram implements Metric {
  private readonly series = new Map<string, { counts: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
  ) {}
  observe(value: number, labels: Labels = {}): void {
    const k = key(labels);
    let s = this.series.get(k);
    if (!s) {
      s = { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(k, s);
    }
    for (let i = 0; i < this.buckets.length; i++)
      if (value <= (this.buckets[i] as number)) s.counts[i] = (s.counts[i] ?? 0) + 1;
    s.sum += value;
    s.count += 1;
  }
  count(labels: Labels = {}): number {
    return this.series.get(key(labels))?.count ?? 0;
  }
  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [k, s] of this.series) {
      const sep = k ? `${k},` : '';
      for (const [i, b] of this.buckets.entries()) lines.push(`${this.name}_bucket{${sep}le="${b}"} ${s.counts[i]}`);
      lines.push(`${this.name}_bucket{${sep}le="+Inf"} ${s.count}`);
      lines.push(`${this.name}_sum${k ? `{${k}}` : ''} ${s.sum}`);
      lines.push(`${this.name}_count${k ? `{${k}}` : ''} ${s.count}`);
    }
    return lines;
  }
}

/** Every metric the server exposes on GET /metrics. */
export class Metrics {
  liveSessions = 0;
  readonly decisions = new Counter('guardline_decisions_total', 'Decisions sent to agents, by outcome.');
  readonly directives = new Counter('guardline_directives_total', 'Directives sent to agents, by kind.');
  readonly decisionLatency = new Histogram(
    'guardline_decision_latency_seconds',
    'From a proposal arriving to its decision being durable and sent.',
    [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
  );
  readonly transcriptionLag = new Histogram(
    'guardline_transcription_lag_seconds',
    'From the end of the audio a transcript covers to the transcript reaching the session.',
    [0.1, 0.25, 0.5, 1, 2, 5, 10],
  );
  readonly wsErrors = new Counter(
    'guardline_websocket_errors_total',
    'Errors sent to or raised by WebSocket peers, by code.',
  );
  readonly storeFailures = new Counter(
    'guardline_store_write_failures_total',
    'Durable writes that failed (answers were denied).',
  );
  readonly enforcements = new Counter(
    'guardline_enforced_ends_total',
    'Calls Guardline ended itself after an ignored end_call.',
  );
  readonly sessionsStarted = new Counter('guardline_sessions_started_total', 'Sessions opened, by transport.');
  private readonly all: Metric[] = [
    new Gauge('guardline_live_sessions', 'Sessions live on this node.', () => this.liveSessions),
    this.sessionsStarted,
    this.decisions,
    this.directives,
    this.decisionLatency,
    this.transcriptionLag,
    this.wsErrors,
    this.storeFailures,
    this.enforcements,
  ];

  render(): string {
    return `${this.all.flatMap((m) => m.render()).join('\n')}\n`;
  }
}
