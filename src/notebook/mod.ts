/**
 * Notebook helpers: rich display of DataFrames, TraceSets, summaries and
 * figures in Jupyter (Deno kernel through `show()`, tslab through `toHTML()`).
 *
 * @module
 */
export {
  type Displayable,
  isDataFrame,
  isSummary,
  isTraceSet,
  JUPYTER_DISPLAY,
  type MimeBundle,
  mimeBundle,
  show,
  toHTML,
  toText,
} from "./display.ts";
export { type DisplayOptions, formatCell, frameHTML } from "./frame_html.ts";
export { summaryHTML, traceSetHeadline, traceSetHTML } from "./summary_html.ts";
export { escapeHTML } from "../log/html.ts";
export { plotFigure, type PlotFigureSpec, type PlotOptions } from "./plot_figure.ts";
