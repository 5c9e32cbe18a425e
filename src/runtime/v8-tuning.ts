import v8 from 'node:v8';

/**
 * V8 settings for a runtime process, applied once as it starts (`npm start`, `guardline start`).
 *
 * Allocation-site pretenuring is off. V8 allocates objects straight into the old generation from
 * any allocation site whose objects mostly survived their first scavenge. During a burst (the store
 * bench's saturating phase keeps 256 records in flight) the sites of per-decision objects qualify,
 * and the decision sticks: afterwards, at a steady 10,000 decisions/s, those objects are born old,
 * die at once, and until the next full GC keep what they point to in the young generation alive.
 * Measured in the store bench's 10,000/s phase after its burst: about 1 MB surviving each scavenge
 * and 2.9 ms pauses with pretenuring, 0.2–0.4 MB and 1.4–1.6 ms without. The server bench (no
 * burst before it) and the Twilio streams' CPU read the same either way.
 */
export function tuneV8ForRuntime(): void {
  v8.setFlagsFromString('--no-allocation-site-pretenuring');
}
