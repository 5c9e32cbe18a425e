/**
 * Audio held while transcription is disconnected, bounded by bytes. When full, the OLDEST chunks are
 * dropped (the most recent speech matters most once transcription resumes) and counted. Each
 * chunk keeps its byte position in the call's audio so timestamps stay on the call's timeline.
 */
export class AudioBacklog {
  private chunks: { position: number; data: Buffer }[] = [];
  private size = 0;
  droppedBytes = 0;

  constructor(private readonly maxBytes: number) {}

  push(position: number, data: Buffer): void {
    if (this.maxBytes === 0) {
      this.droppedBytes += data.length;
      return;
    }
    this.chunks.push({ position, data });
    this.size += data.length;
    while (this.size > this.maxBytes) {
      const oldest = this.chunks.shift();
      if (!oldest) break;
      this.size -= oldest.data.length;
      this.droppedBytes += oldest.data.length;
    }
  }

  /** Position of the oldest byte held, or null when empty. */
  firstPosition(): number | null {
    return this.chunks[0]?.position ?? null;
  }

  get bytes(): number {
    return this.size;
  }

  /** Removes and returns everything held, oldest first. */
  drain(): Buffer[] {
    const out = this.chunks.map((chunk) => chunk.data);
    this.chunks = [];
    this.size = 0;
    return out;
  }
}
