/** RFC 3339 in UTC, whole seconds when there is no fraction: `2026-11-01T10:00:00Z`. */
export function toRfc3339(instant: Date): string {
  const iso = instant.toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}
