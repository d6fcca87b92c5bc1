import type { TopLevelSpec } from 'vega-lite';

/**
 * Vega ships as ES modules with top-level await, which `require` cannot load: both libraries are imported on first
 * use (a variable specifier keeps the bundler from turning the import into a `require` in the CommonJS build).
 */
const importModule = (specifier: string): Promise<unknown> => import(specifier);
let libraries: Promise<{ vega: typeof import('vega'); vegaLite: typeof import('vega-lite') }> | undefined;
function loadLibraries() {
  libraries ??= Promise.all([importModule('vega'), importModule('vega-lite')]).then(([vega, vegaLite]) => ({ vega: vega as typeof import('vega'), vegaLite: vegaLite as typeof import('vega-lite') }));
  return libraries;
}

/**
 * A Vega-Lite specification (https://vega.github.io/vega-lite/docs/spec.html), as plain JSON. Typed loosely so that
 * this package's declarations do not pull in Vega's, which need the DOM library.
 */
export type VegaLiteSpec = Record<string, unknown>;

/** Fonts of every chart (the page's font stack, so the SVG text matches the page). */
export const CHART_FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif';

/** The look shared by every chart: readable axes, legends below the plot (never over the data), no border. */
export const chartConfig = {
  font: CHART_FONT,
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', labelLimit: 160, gridColor: '#eceff3' },
  legend: { orient: 'bottom', labelFontSize: 11, titleFontSize: 11, labelLimit: 220, symbolStrokeWidth: 2, columns: 3, columnPadding: 14 },
  title: { fontSize: 14, fontWeight: 600, anchor: 'start', subtitleFontSize: 11, subtitleColor: '#4b5563', offset: 8 },
  header: { labelFontSize: 12, titleFontSize: 12 },
} as const;

/**
 * Renders a Vega-Lite spec to a static SVG string on the server: compiled to Vega, run by a headless `View`
 * (renderer `none`: no canvas, no DOM), serialised with `toSVG()`. No script, no external resource in the output.
 */
export async function renderVegaLiteSvg(spec: VegaLiteSpec, onWarning: (message: string) => void = () => {}): Promise<string> {
  // Vega-Lite's warnings (e.g. a field it cannot find) go to `onWarning`, never to the console; tests fail on them.
  const quiet = { level: () => quiet, error: (...parts: unknown[]) => { onWarning(parts.join(' ')); return quiet; }, warn: (...parts: unknown[]) => { onWarning(parts.join(' ')); return quiet; }, info: () => quiet, debug: () => quiet };
  const { vega, vegaLite } = await loadLibraries();
  // A spec's own config refines the shared one key by key (`legend: { columns: 2 }` keeps the other legend settings).
  const own = (spec.config ?? {}) as Record<string, unknown>;
  const config: Record<string, unknown> = { ...chartConfig };
  for (const [key, value] of Object.entries(own)) config[key] = typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...((config[key] as object | undefined) ?? {}), ...value } : value;
  const compiled = vegaLite.compile({ ...spec, config } as unknown as TopLevelSpec, { logger: quiet as never }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: 0 });
  try {
    const svg = await view.toSVG();
    // Scales with its container: the fixed size becomes a maximum, the aspect ratio stays (narrow windows).
    return svg.replace(/^<svg ([^>]*?)width="(\d+(?:\.\d+)?)" height="(\d+(?:\.\d+)?)"/, (_match, attributes: string, width: string, height: string) => `<svg ${attributes}width="${width}" height="${height}" style="max-width:100%;height:auto"`);
  } finally {
    view.finalize();
  }
}
