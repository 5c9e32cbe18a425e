/** A one-line progress bar on stderr for long replays (only where a human watches it). */
export class ProgressBar {
  private last = 0;
  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly total: number,
    private readonly enabled: boolean,
  ) {}

  update(done: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (done < this.total && now - this.last < 100) return;
    this.last = now;
    const width = 30;
    const filled = Math.round((done / Math.max(1, this.total)) * width);
    const pct = Math.floor((done / Math.max(1, this.total)) * 100);
    this.stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${this.total} sessions ${pct}%`);
  }

  finish(): void {
    if (this.enabled) this.stream.write('\n');
  }
}
