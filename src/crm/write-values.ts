import type { Json } from '../store/types.ts';
import type { HubspotProperties } from './hubspot-gateway.ts';

/** A write's values as HubSpot takes them: strings, `null` to clear. */
export function toHubspotValues(properties: Record<string, Json>): HubspotProperties {
  const out: HubspotProperties = {};
  for (const [k, v] of Object.entries(properties)) {
    out[k] = v === null || v === '' ? null : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return out;
}

/** Whether HubSpot's current values equal what a write set (HubSpot answers every value as a string). */
export function sameValues(current: Record<string, Json>, wanted: Record<string, Json>): string[] {
  const a = toHubspotValues(current);
  const b = toHubspotValues(wanted);
  return Object.keys(b).filter((k) => (a[k] ?? null) !== (b[k] ?? null));
}

/** The idempotency key of the write that undoes `writeId`. */
export const rollbackKey = (writeId: string) => `rollback:${writeId}`;

/** The write a rollback row undoes, or null if the row is not a rollback. */
export function rollbackTarget(idempotencyKey: string): string | null {
  return idempotencyKey.startsWith('rollback:') ? idempotencyKey.slice('rollback:'.length) : null;
}
