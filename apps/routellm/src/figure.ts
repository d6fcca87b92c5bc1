import type { CurvePoint } from './metrics';

/** One line (or set of points) of the accuracy-vs-cost figure. */
export interface FigureSeries {
  name: string;
  color: string;
  points: readonly CurvePoint[];
  /** Draw markers only (e.g. one decision point per λ). */
  markersOnly?: boolean;
}

const escape = (text: string) => text.replace(/[<>&"]/g, (character) => `&#${character.charCodeAt(0)};`);

/** A self-contained SVG of accuracy against the share of strong-model calls, one panel. */
export function accuracyCostSvg(title: string, series: readonly FigureSeries[], reference: { weak: number; strong: number }): string {
  const width = 560;
  const height = 380;
  const left = 60;
  const right = 150;
  const top = 40;
  const bottom = 50;
  const all = series.flatMap((line) => line.points.map((point) => point.accuracy));
  const minimum = Math.floor(Math.min(reference.weak, ...all) * 50) / 50;
  const maximum = Math.ceil(Math.max(reference.strong, ...all) * 50) / 50;
  const x = (share: number) => left + share * (width - left - right);
  const y = (accuracy: number) => top + (1 - (accuracy - minimum) / (maximum - minimum)) * (height - top - bottom);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<text x="${left}" y="20" font-size="13" font-weight="bold">${escape(title)}</text>`,
    `<line x1="${left}" y1="${y(minimum)}" x2="${x(1)}" y2="${y(minimum)}" stroke="#333"/>`,
    `<line x1="${left}" y1="${y(minimum)}" x2="${left}" y2="${y(maximum)}" stroke="#333"/>`,
  ];
  for (let tick = 0; tick <= 10; tick += 2) {
    const share = tick / 10;
    parts.push(`<text x="${x(share)}" y="${y(minimum) + 15}" text-anchor="middle">${tick * 10}%</text>`);
  }
  for (let accuracy = minimum; accuracy <= maximum + 1e-9; accuracy += 0.02) {
    parts.push(`<text x="${left - 6}" y="${y(accuracy) + 4}" text-anchor="end">${accuracy.toFixed(2)}</text>`);
    parts.push(`<line x1="${left}" y1="${y(accuracy)}" x2="${x(1)}" y2="${y(accuracy)}" stroke="#eee"/>`);
  }
  parts.push(`<text x="${(left + x(1)) / 2}" y="${height - 12}" text-anchor="middle">share of calls to the strong model</text>`);
  parts.push(`<text x="14" y="${(top + y(minimum)) / 2}" transform="rotate(-90 14 ${(top + y(minimum)) / 2})" text-anchor="middle">accuracy</text>`);
  const target = 0.95 * reference.strong;
  parts.push(`<line x1="${left}" y1="${y(target)}" x2="${x(1)}" y2="${y(target)}" stroke="#999" stroke-dasharray="4 3"/>`);
  parts.push(`<text x="${x(1) - 2}" y="${y(target) - 4}" text-anchor="end" fill="#666">95% of strong</text>`);
  series.forEach((line, index) => {
    if (line.markersOnly === true) {
      for (const point of line.points) parts.push(`<circle cx="${x(point.strongShare)}" cy="${y(point.accuracy)}" r="4" fill="${line.color}"/>`);
    } else {
      const step = Math.max(1, Math.floor(line.points.length / 400));
      const path = line.points
        .filter((_, pointIndex) => pointIndex % step === 0 || pointIndex === line.points.length - 1)
        .map((point, pointIndex) => `${pointIndex === 0 ? 'M' : 'L'}${x(point.strongShare).toFixed(1)},${y(point.accuracy).toFixed(1)}`)
        .join(' ');
      parts.push(`<path d="${path}" fill="none" stroke="${line.color}" stroke-width="1.8"/>`);
    }
    const legendY = top + 10 + index * 18;
    parts.push(`<rect x="${x(1) + 12}" y="${legendY - 8}" width="12" height="3" fill="${line.color}"/>`);
    parts.push(`<text x="${x(1) + 30}" y="${legendY - 3}">${escape(line.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}
