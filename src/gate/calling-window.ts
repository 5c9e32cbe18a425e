import type { Policy } from '../../policies/schema.ts';

const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatterFor(timezone: string): Intl.DateTimeFormat | null {
  let f = formatters.get(timezone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: timezone,
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      });
    } catch {
      f = null;
    }
    formatters.set(timezone, f);
  }
  return f;
}

export function isValidTimezone(timezone: string): boolean {
  return formatterFor(timezone) !== null;
}

/**
 * The last answer per zone, by UTC minute. Offsets change only at whole minutes, so the local
 * time within one UTC minute is known from one lookup; `formatToParts` costs microseconds and the
 * gate and the statechart ask for every decision and tick.
 */
const lastMinute = new Map<string, { utcMinute: number; local: number }>();

/** Minutes since local midnight at `at` (epoch ms) in `timezone`, or null for an unknown zone. */
export function localMinutes(at: number, timezone: string): number | null {
  const utcMinute = Math.floor(at / 60_000);
  const cached = lastMinute.get(timezone);
  if (cached !== undefined && cached.utcMinute === utcMinute) return cached.local;
  const f = formatterFor(timezone);
  if (!f) return null;
  let hour = 0;
  let minute = 0;
  for (const part of f.formatToParts(at)) {
    if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
  }
  const local = hour * 60 + minute;
  if (lastMinute.size >= MAX_CACHED_ZONES && cached === undefined) lastMinute.clear();
  lastMinute.set(timezone, { utcMinute, local });
  return local;
}

/** IANA has about 600 zones; anything beyond that is junk input not worth keeping. */
const MAX_CACHED_ZONES = 1_000;

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

export interface WindowCheck {
  open: boolean;
  window: { start: string; end: string };
  /** Callee's local time as HH:MM, or null when the time zone is unknown (treated as closed). */
  localTime: string | null;
}

/** Whether `at` is inside the calling window for the callee's state and time zone. Unknown zone → closed. */
export function checkCallingWindow(policy: Policy, jurisdiction: string, timezone: string, at: number): WindowCheck {
  const window = policy.calling_hours.by_state[jurisdiction] ?? policy.calling_hours.default;
  const minutes = localMinutes(at, timezone);
  if (minutes === null) return { open: false, window, localTime: null };
  const localTime = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
  return { open: minutes >= toMinutes(window.start) && minutes < toMinutes(window.end), window, localTime };
}
