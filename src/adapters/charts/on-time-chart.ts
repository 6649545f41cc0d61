/**
 * The monthly report's chart: the share of requests answered on time per month, as a PNG rendered on the server
 * with no browser — a Vega-Lite spec compiled to Vega, rendered to SVG (vega's headless renderer), rasterised by
 * resvg (a Rust SVG renderer shipped as a prebuilt Node binary). Labels are months and percentages only.
 */
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';

export interface OnTimePoint {
  /** `YYYY-MM` */
  month: string;
  /** Percent 0–100, or null when no request closed that month. */
  share: number | null;
  closed: number;
}

export async function renderOnTimeChart(points: readonly OnTimePoint[], title: string): Promise<Uint8Array> {
  const months = points.map((p) => p.month);
  const spec: vegaLite.TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title, width: 560, height: 240, background: 'white',
    config: { font: 'DejaVu Sans', axis: { labelFontSize: 11, titleFontSize: 12 } },
    data: {
      values: points.map((p) => ({
        month: p.month, y: p.share ?? 0, label: p.share === null ? 'none' : `${Math.round(p.share)}%`,
      })),
    },
    layer: [
      {
        mark: { type: 'bar', color: '#4c78a8' },
        encoding: {
          x: { field: 'month', type: 'ordinal', title: 'month closed', sort: null, scale: { domain: months } },
          y: { field: 'y', type: 'quantitative', title: 'answered on time (%)', scale: { domain: [0, 100] } },
        },
      },
      {
        mark: { type: 'text', dy: -6, fontSize: 10 },
        encoding: {
          x: { field: 'month', type: 'ordinal', sort: null, scale: { domain: months } },
          y: { field: 'y', type: 'quantitative' },
          text: { field: 'label', type: 'nominal' },
        },
      },
    ],
  };
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  const font = { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' };
  const resvg = new Resvg(svg, { background: 'white', font });
  const png = resvg.render().asPng();
  return new Uint8Array(png);
}
