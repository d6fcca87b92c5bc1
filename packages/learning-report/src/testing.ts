import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Where Debian's `chromium` package (installed by `.ci/run`) and other distributions put the browser. */
const chromiumPaths = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/** The system Chromium to drive (`CHROMIUM_PATH` first), or null when none is installed. */
export function findChromium(environment: NodeJS.ProcessEnv = process.env): string | null {
  const candidates = [environment.CHROMIUM_PATH, ...chromiumPaths].filter((path): path is string => path !== undefined && path !== '');
  return candidates.find((path) => existsSync(path)) ?? null;
}

/**
 * The browser to test with, or why the test is skipped. Under CI (`CI` set) a missing browser throws: the browser
 * test must fail loudly there, never pass by skipping.
 */
export function chromiumForTests(environment: NodeJS.ProcessEnv = process.env): { path: string; skip: null } | { path: null; skip: string } {
  const path = findChromium(environment);
  if (path !== null) return { path, skip: null };
  const reason = `no Chromium found (${chromiumPaths.join(', ')}; or set CHROMIUM_PATH): apt-get install chromium`;
  if (environment.CI !== undefined && environment.CI !== '' && environment.CI !== 'false') throw new Error(`browser test under CI: ${reason}`);
  return { path: null, skip: reason };
}

/** One chart as the browser laid it out. */
export interface ChartInBrowser {
  id: string;
  /** The figure says there is no data (no SVG). */
  empty: boolean;
  /** Rendered size of its SVG (0 × 0 when none). */
  width: number;
  height: number;
  /** Data marks drawn inside the SVG (lines, points, bars, rules, labels of the data: not axes or legends). */
  marks: number;
  /** The SVG reaches past the right edge of its figure (cut off). */
  overflows: boolean;
}

/** What a person opening the report sees, at one window width. */
export interface ReportInBrowser {
  width: number;
  /** Console errors and uncaught page errors, as the browser printed them. */
  errors: string[];
  /** Requests for anything but the page itself (a self-contained page makes none). */
  requests: string[];
  verdict: string | null;
  /** Rows of the held-out table: cells as text. */
  heldOutRows: string[][];
  charts: ChartInBrowser[];
  /** The page is wider than the window (a horizontal scroll bar). */
  horizontalOverflow: boolean;
  screenshot: string | null;
}

/** Runs in the page (plain JavaScript: this package compiles without the DOM's types): what a reader sees. */
const pageScript = `(() => {
  const text = (element) => (element === null ? null : (element.textContent || '').replace(/\\s+/g, ' ').trim());
  const charts = [...document.querySelectorAll('figure.chart')].map((figure) => {
    const svg = figure.querySelector('svg');
    const box = svg === null ? null : svg.getBoundingClientRect();
    const figureBox = figure.getBoundingClientRect();
    return {
      id: figure.getAttribute('data-chart') || '',
      empty: svg === null,
      width: box === null ? 0 : box.width,
      height: box === null ? 0 : box.height,
      marks: svg === null ? 0 : svg.querySelectorAll('g.role-mark > path, g.role-mark > line, g.role-mark > text').length,
      overflows: box === null ? false : box.right > figureBox.right + 1,
    };
  });
  return {
    verdict: text(document.querySelector('#verdict')),
    heldOutRows: [...document.querySelectorAll('#held-out-table tbody tr')].map((row) => [...row.querySelectorAll('td')].map((cell) => text(cell) || '')),
    charts,
    horizontalOverflow: document.documentElement.scrollWidth > window.innerWidth,
  };
})()`;

/**
 * Opens an HTML report in headless Chromium (playwright-core driving the system browser: nothing is downloaded) at
 * each width, and returns what is on the page; saves a full-page screenshot per width as
 * `<screenshotDirectory>/<name>-<width>px.png` when a directory is given.
 */
export async function inspectReportInBrowser(
  htmlPath: string,
  options: { chromiumPath: string; widths?: readonly number[]; screenshotDirectory?: string; name?: string },
): Promise<ReportInBrowser[]> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: options.chromiumPath, args: ['--no-sandbox', '--disable-gpu'] });
  const url = pathToFileURL(resolve(htmlPath)).href;
  const results: ReportInBrowser[] = [];
  try {
    if (options.screenshotDirectory !== undefined) await mkdir(options.screenshotDirectory, { recursive: true });
    for (const width of options.widths ?? [1280, 400]) {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('request', (request) => {
        if (request.url() !== url) requests.push(request.url());
      });
      await page.goto(url, { waitUntil: 'load' });
      const seen = (await page.evaluate(pageScript)) as Pick<ReportInBrowser, 'verdict' | 'heldOutRows' | 'charts' | 'horizontalOverflow'>;
      let screenshot: string | null = null;
      if (options.screenshotDirectory !== undefined) {
        screenshot = join(options.screenshotDirectory, `${options.name ?? 'report'}-${width}px.png`);
        await page.screenshot({ path: screenshot, fullPage: true });
      }
      await page.close();
      results.push({ width, errors, requests, ...seen, screenshot });
    }
  } finally {
    await browser.close();
  }
  return results;
}

/**
 * What keeps a person from reading the report, one line each (empty: nothing): console errors, requests, no verdict,
 * a held-out table without rules / learned / oracle rows, a horizontal scroll bar, and charts that are empty (unless
 * listed in `mayBeEmpty`), too small, cut off, or draw no data.
 */
export function readabilityProblems(views: readonly ReportInBrowser[], options: { mayBeEmpty?: readonly string[] } = {}): string[] {
  const problems: string[] = [];
  for (const view of views) {
    const at = `at ${view.width}px`;
    for (const error of view.errors) problems.push(`${at}: console error: ${error}`);
    for (const request of view.requests) problems.push(`${at}: request for ${request} (the page must be self-contained)`);
    if (view.verdict === null || !/^(Keep|Roll back|\S+ is deployed)/.test(view.verdict)) problems.push(`${at}: no verdict at the top (${view.verdict ?? 'missing'})`);
    const names = view.heldOutRows.map((row) => row[0]);
    for (const name of ['rules', 'learned', 'oracle']) if (!names.includes(name)) problems.push(`${at}: the held-out table has no ${name} row`);
    if (view.horizontalOverflow) problems.push(`${at}: the page scrolls sideways`);
    if (view.charts.length === 0) problems.push(`${at}: no chart`);
    for (const chart of view.charts) {
      if (chart.empty) {
        if (!(options.mayBeEmpty ?? []).includes(chart.id)) problems.push(`${at}: chart ${chart.id} is empty`);
        continue;
      }
      if (chart.width < Math.min(300, view.width * 0.6) || chart.height < 40) problems.push(`${at}: chart ${chart.id} is ${Math.round(chart.width)} × ${Math.round(chart.height)} px`);
      if (chart.marks === 0) problems.push(`${at}: chart ${chart.id} draws no data`);
      if (chart.overflows) problems.push(`${at}: chart ${chart.id} is cut off`);
    }
  }
  return problems;
}
