/** One named series of a line chart. */
export interface LineSeries {
  name: string;
  /** [x, y] points, x increasing. */
  points: ReadonlyArray<readonly [number, number]>;
}

/** One bar of a bar chart. */
export interface Bar {
  label: string;
  value: number;
  /** Text shown after the bar (defaults to the value). */
  note?: string;
}

/** Colours of series, in order (readable on white, distinguishable in greyscale by dash patterns too). */
export const seriesColors = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#4b5563'] as const;
const dashes = ['', '6 3', '2 3', '8 3 2 3', '1 2', '10 4', '4 4'] as const;

/** Escapes text for SVG/HTML. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[character]!);
}

/** A short, readable number: 3 significant digits, k/M suffixes. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 1e6) return `${(value / 1e6).toPrecision(3)}M`;
  if (magnitude >= 1e4) return `${(value / 1e3).toPrecision(3)}k`;
  if (magnitude === 0) return '0';
  if (magnitude >= 100) return value.toFixed(0);
  return Number(value.toPrecision(3)).toString();
}

/** About `count` round tick values covering [low, high]. */
export function niceTicks(low: number, high: number, count = 5): number[] {
  if (!(high > low)) return [low];
  const rawStep = (high - low) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(rawStep));
  const step = [1, 2, 2.5, 5, 10].map((factor) => factor * power).find((candidate) => candidate >= rawStep) ?? rawStep;
  const ticks: number[] = [];
  for (let tick = Math.ceil(low / step) * step; tick <= high + step * 1e-9; tick += step) ticks.push(Number(tick.toPrecision(12)));
  return ticks;
}

const width = 640;
const height = 300;
const margin = { top: 36, right: 16, bottom: 44, left: 64 };

/** A line chart as a standalone `<svg>` element (no scripts, no external resources). */
export function lineChart(options: { title: string; xLabel: string; yLabel: string; series: readonly LineSeries[] }): string {
  const all = options.series.flatMap((series) => series.points);
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(options.title)}">`];
  parts.push(`<text x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="600">${escapeXml(options.title)}</text>`);
  if (all.length === 0) {
    parts.push(`<text x="${width / 2}" y="${height / 2}" text-anchor="middle" fill="#6b7280">no data yet</text></svg>`);
    return parts.join('');
  }
  let xMin = Infinity;
  let xMax = -Infinity;
  let yMin = Infinity;
  let yMax = -Infinity;
  for (const [x, y] of all) {
    if (x < xMin) xMin = x;
    if (x > xMax) xMax = x;
    if (y < yMin) yMin = y;
    if (y > yMax) yMax = y;
  }
  if (xMax === xMin) xMax = xMin + 1;
  if (yMax === yMin) {
    yMax += Math.abs(yMax) * 0.1 + 1;
    yMin -= Math.abs(yMin) * 0.1 + 1;
  }
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const xOf = (x: number) => margin.left + ((x - xMin) / (xMax - xMin)) * plotWidth;
  const yOf = (y: number) => margin.top + (1 - (y - yMin) / (yMax - yMin)) * plotHeight;
  for (const tick of niceTicks(yMin, yMax)) {
    const y = yOf(tick).toFixed(1);
    parts.push(`<line x1="${margin.left}" x2="${width - margin.right}" y1="${y}" y2="${y}" stroke="#e5e7eb"/>`);
    parts.push(`<text x="${margin.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" font-size="11" fill="#374151">${formatNumber(tick)}</text>`);
  }
  for (const tick of niceTicks(xMin, xMax, 6)) {
    const x = xOf(tick).toFixed(1);
    parts.push(`<text x="${x}" y="${height - margin.bottom + 16}" text-anchor="middle" font-size="11" fill="#374151">${formatNumber(tick)}</text>`);
  }
  parts.push(`<rect x="${margin.left}" y="${margin.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#9ca3af"/>`);
  parts.push(`<text x="${margin.left + plotWidth / 2}" y="${height - 6}" text-anchor="middle" font-size="12">${escapeXml(options.xLabel)}</text>`);
  parts.push(`<text transform="translate(14 ${margin.top + plotHeight / 2}) rotate(-90)" text-anchor="middle" font-size="12">${escapeXml(options.yLabel)}</text>`);
  options.series.forEach((series, index) => {
    if (series.points.length === 0) return;
    const color = seriesColors[index % seriesColors.length];
    const dash = dashes[index % dashes.length];
    const path = series.points.map(([x, y], point) => `${point === 0 ? 'M' : 'L'}${xOf(x).toFixed(1)} ${yOf(y).toFixed(1)}`).join(' ');
    parts.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="2"${dash === '' ? '' : ` stroke-dasharray="${dash}"`}><title>${escapeXml(series.name)}</title></path>`);
    if (series.points.length === 1) {
      const [x, y] = series.points[0]!;
      parts.push(`<circle cx="${xOf(x).toFixed(1)}" cy="${yOf(y).toFixed(1)}" r="3" fill="${color}"/>`);
    }
    const legendX = margin.left + 8 + index * 130;
    parts.push(`<line x1="${legendX}" x2="${legendX + 18}" y1="${margin.top + 10}" y2="${margin.top + 10}" stroke="${color}" stroke-width="2"${dash === '' ? '' : ` stroke-dasharray="${dash}"`}/>`);
    parts.push(`<text x="${legendX + 22}" y="${margin.top + 10}" dominant-baseline="middle" font-size="11">${escapeXml(series.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

/** A horizontal bar chart as a standalone `<svg>` element. */
export function barChart(options: { title: string; bars: readonly Bar[]; maxValue?: number; unit?: string }): string {
  const rowHeight = 22;
  const chartHeight = Math.max(80, 44 + options.bars.length * rowHeight + 12);
  const labelWidth = 150;
  const noteWidth = 130;
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${chartHeight}" width="${width}" height="${chartHeight}" role="img" aria-label="${escapeXml(options.title)}">`];
  parts.push(`<text x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="600">${escapeXml(options.title)}</text>`);
  if (options.bars.length === 0) {
    parts.push(`<text x="${width / 2}" y="${chartHeight / 2 + 10}" text-anchor="middle" fill="#6b7280">no data yet</text></svg>`);
    return parts.join('');
  }
  const maxValue = options.maxValue ?? Math.max(...options.bars.map((bar) => bar.value), 1e-12);
  const barSpace = width - labelWidth - noteWidth - 16;
  options.bars.forEach((bar, index) => {
    const y = 40 + index * rowHeight;
    const length = Math.max(0, (bar.value / maxValue) * barSpace);
    parts.push(`<text x="${labelWidth - 6}" y="${y + 8}" text-anchor="end" dominant-baseline="middle" font-size="12">${escapeXml(bar.label)}</text>`);
    parts.push(`<rect x="${labelWidth}" y="${y}" width="${length.toFixed(1)}" height="16" fill="${seriesColors[0]}"><title>${escapeXml(`${bar.label}: ${bar.note ?? formatNumber(bar.value)}`)}</title></rect>`);
    parts.push(`<text x="${labelWidth + length + 6}" y="${y + 8}" dominant-baseline="middle" font-size="11" fill="#374151">${escapeXml(bar.note ?? `${formatNumber(bar.value)}${options.unit ?? ''}`)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}
