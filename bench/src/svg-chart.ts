/** One bar. */
export interface Bar {
  /** Label left of the bar. */
  label: string;
  /** Length of the bar. */
  value: number;
  /** Fill colour (CSS). */
  color: string;
  /** Text right of the bar (default: the value). */
  note?: string;
}

/** A titled group of bars (e.g. one concurrency). */
export interface BarGroup {
  /** Group title. */
  title: string;
  /** The bars, top to bottom. */
  bars: Bar[];
}

/** One line of a line chart. */
export interface Series {
  /** Legend text. */
  name: string;
  /** Stroke colour (CSS). */
  color: string;
  /** Points, in x order. */
  points: { x: number; y: number }[];
}

/** A colour per system, shared by the charts. */
export const PALETTE = ['#6b7280', '#2563eb', '#059669', '#d97706', '#dc2626', '#7c3aed'] as const;

const FONT = 'font-family="system-ui, -apple-system, Segoe UI, sans-serif"';

/** `text` escaped for XML. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function format(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** A "nice" axis maximum at or above `value` (1, 2 or 5 times a power of ten). */
export function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

/**
 * A horizontal grouped bar chart as an SVG document (a string; no browser or library involved).
 *
 * @example
 * const svg = barChart('Deliveries/s', 'deliveries per second', [{ title: 'c=64', bars: [{ label: 'raw', value: 9000, color: '#666' }] }]);
 */
export function barChart(title: string, axisLabel: string, groups: BarGroup[]): string {
  const width = 820;
  const left = 250;
  const right = 90;
  const barHeight = 18;
  const gap = 6;
  const groupGap = 26;
  const top = 50;
  const max = niceMax(Math.max(1, ...groups.flatMap((group) => group.bars.map((bar) => bar.value))));
  const scale = (value: number): number => ((width - left - right) * value) / max;
  const parts: string[] = [];
  let y = top;
  for (const group of groups) {
    parts.push(
      `<text x="10" y="${y + 12}" font-weight="600" font-size="13">${escapeXml(group.title)}</text>`,
    );
    y += 20;
    for (const bar of group.bars) {
      const length = Math.max(1, scale(bar.value));
      parts.push(
        `<text x="${left - 8}" y="${y + 13}" text-anchor="end" font-size="12">${escapeXml(bar.label)}</text>`,
        `<rect x="${left}" y="${y}" width="${length.toFixed(1)}" height="${barHeight}" fill="${bar.color}" rx="2"/>`,
        `<text x="${(left + length + 6).toFixed(1)}" y="${y + 13}" font-size="12">${escapeXml(bar.note ?? format(bar.value))}</text>`,
      );
      y += barHeight + gap;
    }
    y += groupGap - gap;
  }
  const height = y + 30;
  const ticks: string[] = [];
  for (let i = 0; i <= 5; i++) {
    const value = (max * i) / 5;
    const x = left + scale(value);
    ticks.push(
      `<line x1="${x.toFixed(1)}" y1="${top - 6}" x2="${x.toFixed(1)}" y2="${y - groupGap + gap}" stroke="#e5e7eb"/>`,
      `<text x="${x.toFixed(1)}" y="${y + 4}" text-anchor="middle" font-size="11" fill="#555">${format(value)}</text>`,
    );
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT}>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="24" font-size="16" font-weight="700">${escapeXml(title)}</text>`,
    ...ticks,
    ...parts,
    `<text x="${left + (width - left - right) / 2}" y="${height - 8}" text-anchor="middle" font-size="12" fill="#333">${escapeXml(axisLabel)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}

/**
 * A line chart with a logarithmic x axis (e.g. backlog sizes 10k, 100k, 1M) as an SVG document.
 *
 * @example
 * const svg = lineChart('Throughput vs backlog', 'pending rows', 'deliveries/s', [{ name: 'postgres', color: '#2563eb', points: [{ x: 1e4, y: 900 }, { x: 1e6, y: 850 }] }]);
 */
export function lineChart(title: string, xLabel: string, yLabel: string, series: Series[]): string {
  const width = 820;
  const height = 420;
  const box = { left: 80, right: 180, top: 50, bottom: 60 };
  const xs = series.flatMap((s) => s.points.map((p) => p.x)).filter((x) => x > 0);
  const minX = Math.min(...xs);
  const maxX = Math.max(...xs);
  const maxY = niceMax(Math.max(1, ...series.flatMap((s) => s.points.map((p) => p.y))));
  const plotWidth = width - box.left - box.right;
  const plotHeight = height - box.top - box.bottom;
  const span = Math.log10(maxX) - Math.log10(minX) || 1;
  const px = (x: number): number => box.left + ((Math.log10(x) - Math.log10(minX)) / span) * plotWidth;
  const py = (y: number): number => box.top + plotHeight - (y / maxY) * plotHeight;
  const parts: string[] = [];
  for (let i = 0; i <= 5; i++) {
    const value = (maxY * i) / 5;
    parts.push(
      `<line x1="${box.left}" y1="${py(value).toFixed(1)}" x2="${box.left + plotWidth}" y2="${py(value).toFixed(1)}" stroke="#e5e7eb"/>`,
      `<text x="${box.left - 8}" y="${(py(value) + 4).toFixed(1)}" text-anchor="end" font-size="11" fill="#555">${format(value)}</text>`,
    );
  }
  for (const x of [...new Set(xs)].sort((a, b) => a - b)) {
    const label = x >= 1e6 ? `${x / 1e6}M` : x >= 1e3 ? `${x / 1e3}k` : String(x);
    parts.push(
      `<text x="${px(x).toFixed(1)}" y="${box.top + plotHeight + 18}" text-anchor="middle" font-size="11" fill="#555">${label}</text>`,
    );
  }
  series.forEach((s, index) => {
    const path = s.points.map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ');
    parts.push(`<polyline points="${path}" fill="none" stroke="${s.color}" stroke-width="2.5"/>`);
    for (const p of s.points) {
      parts.push(
        `<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="4" fill="${s.color}"/>`,
        `<text x="${px(p.x).toFixed(1)}" y="${(py(p.y) - 9).toFixed(1)}" text-anchor="middle" font-size="11">${format(p.y)}</text>`,
      );
    }
    const ly = box.top + 10 + index * 22;
    parts.push(
      `<rect x="${width - box.right + 20}" y="${ly - 9}" width="14" height="10" fill="${s.color}"/>`,
      `<text x="${width - box.right + 40}" y="${ly}" font-size="12">${escapeXml(s.name)}</text>`,
    );
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT}>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="24" font-size="16" font-weight="700">${escapeXml(title)}</text>`,
    `<line x1="${box.left}" y1="${box.top + plotHeight}" x2="${box.left + plotWidth}" y2="${box.top + plotHeight}" stroke="#333"/>`,
    `<line x1="${box.left}" y1="${box.top}" x2="${box.left}" y2="${box.top + plotHeight}" stroke="#333"/>`,
    ...parts,
    `<text x="${box.left + plotWidth / 2}" y="${height - 14}" text-anchor="middle" font-size="12" fill="#333">${escapeXml(xLabel)}</text>`,
    `<text x="18" y="${box.top + plotHeight / 2}" text-anchor="middle" font-size="12" fill="#333" transform="rotate(-90 18 ${box.top + plotHeight / 2})">${escapeXml(yLabel)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
