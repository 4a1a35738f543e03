/**
 * Notebook helpers: rich display of DataFrames, TraceSets, summaries and
 * figures in Jupyter (Deno kernel through `show()`, tslab through `toHTML()`).
 *
 * @module
 */
export {
  type Displayable,
  type DisplayOptions,
  escapeHTML,
  formatCell,
  frameHTML,
  isDataFrame,
  isSummary,
  isTraceSet,
  JUPYTER_DISPLAY,
  type MimeBundle,
  mimeBundle,
  show,
  summaryHTML,
  toHTML,
  toText,
  traceSetHeadline,
  traceSetHTML,
} from "./display.ts";
export { plotFigure, type PlotFigureSpec } from "./plot_figure.ts";
