/** Where a command writes its result. */
export interface OutputTarget {
  /** Write text. */
  write(text: string): unknown;
  /** True when this is a terminal. */
  readonly isTTY?: boolean;
}

/** True when results should be JSON: `--json` was given or stdout is not a terminal (piped, redirected). */
export function wantsJson(jsonFlag: boolean, out: OutputTarget = process.stdout): boolean {
  return jsonFlag || out.isTTY !== true;
}

/** Writes `value` as one JSON document (Dates as ISO strings) followed by a newline. */
export function printJson(value: unknown, out: OutputTarget = process.stdout): void {
  out.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Lays out rows as a plain-text table with a header line; cells are cut to 60 characters.
 *
 * @example
 * formatTable(['status', 'count'], [['pending', '3']]); // 'STATUS   COUNT\npending  3\n'
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const cells = [headers.map((header) => header.toUpperCase()), ...rows].map((row) =>
    row.map((cell) => (cell.length > 60 ? `${cell.slice(0, 59)}…` : cell).replace(/[\r\n\t]+/g, ' ')),
  );
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => row[column]?.length ?? 0)));
  return cells
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!)))
        .join('  ')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
}

/** Key/value lines, keys aligned (for one record). */
export function formatFields(fields: readonly (readonly [string, string])[]): string {
  const width = Math.max(...fields.map(([key]) => key.length));
  return fields.map(([key, value]) => `${key.padEnd(width)}  ${value.replace(/[\r\n]+/g, ' ')}\n`).join('');
}

/** A duration for a person: `45s`, `12m 3s`, `5h 2m`, `3d 4h`. */
export function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${seconds % 60}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/** A date as ISO 8601, or `-` for null. */
export function formatDate(date: Date | null | undefined): string {
  return date ? date.toISOString() : '-';
}
