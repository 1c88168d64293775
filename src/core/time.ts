/** RFC 3339 in UTC, whole seconds when there is no fraction: `2026-11-01T10:00:00Z`. */
export function toRfc3339(instant: Date): string {
  const iso = instant.toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

/** RFC 3339, or null when there is no instant (JSON views). */
export function rfc3339OrNull(instant: Date | undefined): string | null {
  return instant ? toRfc3339(instant) : null;
}

/** A table cell: `2026-11-25 10:15Z` (seconds left out when zero), or `-` when there is no instant. */
export function shortTime(instant: Date | undefined): string {
  return instant ? toRfc3339(instant).replace(/:00Z$/, 'Z').replace('T', ' ') : '-';
}
