// UTC offsets of an IANA time zone over a time range, for SQL that buckets times by local day.
// SQLite knows no time zones; the Worker's Intl does, so the offsets are worked out here and
// handed to SQL as plain numbers.

export const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Milliseconds to add to a UTC instant to get the wall-clock time in `timeZone` then. */
export function zoneOffset(timeZone: string, ms: number): number {
  const second = Math.floor(ms / 1000) * 1000;
  const parts = formatter(timeZone).formatToParts(second);
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wallClock = Date.UTC(part("year"), part("month") - 1, part("day"), part("hour"), part("minute"), part("second"));
  return wallClock - second;
}

/** From `start` on (until the next segment's start), local time is UTC + `offset`. */
export interface OffsetSegment {
  start: number;
  offset: number;
}

/**
 * The zone's offsets over [from, to): one segment, or one more per DST (or other) transition.
 * The zone is probed once a day and each change is narrowed down to the second by bisection;
 * no zone changes its offset twice within one day.
 */
export function offsetSegments(timeZone: string, from: number, to: number): OffsetSegment[] {
  const segments: OffsetSegment[] = [{ start: from, offset: zoneOffset(timeZone, from) }];
  const last = to - 1;
  let probe = from;
  let probeOffset = segments[0]!.offset;
  while (probe < last) {
    const next = Math.min(probe + DAY_MS, last);
    const nextOffset = zoneOffset(timeZone, next);
    if (nextOffset !== probeOffset) {
      // The offset is constant within a second: bisect over whole seconds.
      let lo = Math.floor(probe / 1000);
      let hi = Math.floor(next / 1000);
      while (hi - lo > 1) {
        const mid = lo + Math.floor((hi - lo) / 2);
        if (zoneOffset(timeZone, mid * 1000) === probeOffset) lo = mid;
        else hi = mid;
      }
      segments.push({ start: hi * 1000, offset: nextOffset });
    }
    probe = next;
    probeOffset = nextOffset;
  }
  return segments;
}

/** The local calendar day (days since 1970-01-01 in local time) of an instant. */
const localDay = (ms: number, offset: number): number => Math.floor((ms + offset) / DAY_MS);

/** `YYYY-MM-DD` of a local day number. */
const dayString = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** One local calendar day, as the UTC instants [start, end) it spans within a range. */
export interface LocalDay {
  day: string;
  start: number;
  end: number;
}

/**
 * The local days of `timeZone` that [from, to) touches, oldest first, clipped to the range. A
 * day starts at the first instant whose local date is that day (local midnight, or the end of a
 * transition that skipped it) and ends where the next one starts, so a day lasts 23 or 25 hours
 * across a DST change and the days tile the range exactly.
 */
export function localDays(timeZone: string, from: number, to: number): LocalDay[] {
  const segments = offsetSegments(timeZone, from, to);
  const startOf = (day: number): number => {
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i]!;
      const segmentEnd = segments[i + 1]?.start ?? to;
      const candidate = Math.max(segment.start, day * DAY_MS - segment.offset);
      if (candidate < segmentEnd) return candidate;
    }
    return to;
  };
  const first = localDay(from, segments[0]!.offset);
  const last = localDay(to - 1, segments[segments.length - 1]!.offset);
  const days: LocalDay[] = [];
  for (let day = first; day <= last; day++) {
    days.push({ day: dayString(day), start: day === first ? from : startOf(day), end: day === last ? to : startOf(day + 1) });
  }
  return days;
}
