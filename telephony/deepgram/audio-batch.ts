/**
 * Call audio gathered into one larger chunk before it goes to Deepgram. Twilio delivers 20 ms
 * frames; Deepgram recommends sending 20–250 ms at once, and every WebSocket message costs a frame
 * and a socket write, so a few frames sent together cost a fraction of the CPU. The batch keeps the
 * byte position of its first byte so it can join the reconnect backlog on the call's timeline.
 */
export class AudioBatch {
  private parts: Buffer[] = [];
  private size = 0;
  private start = 0;

  /** `targetBytes` 0: no batching (every chunk is full on its own). */
  constructor(readonly targetBytes: number) {}

  get bytes(): number {
    return this.size;
  }

  /** Adds `chunk`, whose first byte is at `position` in the call's audio; true once the batch is full. */
  add(position: number, chunk: Buffer): boolean {
    if (this.size === 0) this.start = position;
    this.parts.push(chunk);
    this.size += chunk.length;
    return this.size >= this.targetBytes;
  }

  /** Removes and returns what is held, as one buffer with its position; null when empty. */
  take(): { position: number; data: Buffer } | null {
    if (this.size === 0) return null;
    const data = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts, this.size);
    const taken = { position: this.start, data };
    this.parts = [];
    this.size = 0;
    return taken;
  }
}
