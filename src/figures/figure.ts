/**
 * The `Figure`: one standalone SVG chart that renders inline in HTML and in a
 * Deno notebook, and to PNG headless.
 *
 * @module
 */
// Deferred: resvg loads its native addon on first use (a PNG), not on import.
import defer * as resvgJs from "npm:@resvg/resvg-js@2.6.2";
import { COLORS } from "./_style.ts";

/** Bytes as base64 (chunked: a spread of a large array overflows the call stack). */
function base64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

/** Options of {@linkcode Figure.toPNG}. */
export interface PngOptions {
  /**
   * Pixels per SVG unit: 2 gives a sharp image on high-density screens.
   * @default {2}
   */
  scale?: number;
  /**
   * The background colour.
   * @default {"white"}
   */
  background?: string;
}

/** resvg's options for {@linkcode PngOptions}. */
function resvgOptions(options: PngOptions) {
  const { scale = 2, background = COLORS.background } = options;
  return {
    background,
    fitTo: { mode: "zoom" as const, value: scale },
    font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" },
  };
}

/** What a figure knows besides its SVG. */
export interface FigureInfo {
  /** The title drawn at the top of the figure. */
  title: string;
  /** Width in SVG units (pixels at scale 1). */
  width: number;
  /** Height in SVG units. */
  height: number;
  /** Warnings Observable Plot emitted while rendering (empty for a clean figure). */
  warnings?: readonly string[];
  /** True when the figure shows a message instead of data (no rows to draw). */
  empty?: boolean;
}

/**
 * A rendered chart. Create figures with the figure functions (`latencyHistogram`,
 * `modelsUsed`, …); they are async because Plot and the DOM they draw with
 * (linkedom) are imported lazily, on first use.
 *
 * In a Deno notebook a `Figure` as the last expression of a cell shows inline.
 *
 * @example
 * ```ts
 * import { Figure } from "./figure.ts";
 * const fig = new Figure(
 *   '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>',
 *   { title: "Blank", width: 10, height: 10 },
 * );
 * const png = fig.toPNG();
 * // The PNG signature: 0x89 then "PNG".
 * if (png[0] !== 0x89 || String.fromCharCode(...png.subarray(1, 4)) !== "PNG") throw new Error("PNG");
 * if (fig.title !== "Blank" || fig.empty) throw new Error(fig.title);
 * ```
 */
export class Figure {
  readonly #svg: string;
  /** The title drawn at the top of the figure. */
  readonly title: string;
  /** Width in SVG units. */
  readonly width: number;
  /** Height in SVG units. */
  readonly height: number;
  /** Warnings Observable Plot emitted while rendering; part of the contract, tested. */
  readonly warnings: readonly string[];
  /** True when the figure shows an empty-state message instead of data. */
  readonly empty: boolean;

  /** Wrap a standalone SVG document (it must declare the SVG namespace). */
  constructor(svg: string, info: FigureInfo) {
    if (!/^<svg[^>]*\sxmlns="http:\/\/www\.w3\.org\/2000\/svg"/.test(svg)) {
      throw new TypeError(
        'Cannot create a Figure: the SVG must start with <svg xmlns="http://www.w3.org/2000/svg">',
      );
    }
    this.#svg = svg;
    this.title = info.title;
    this.width = info.width;
    this.height = info.height;
    this.warnings = Object.freeze([...(info.warnings ?? [])]);
    this.empty = info.empty ?? false;
  }

  /**
   * The standalone SVG (with `xmlns`), for a `.svg` file or inline in HTML.
   * Text from traces in it is escaped by XML serialization.
   */
  toSVG(): string {
    return this.#svg;
  }

  /** The figure as a PNG image, rendered by resvg with the system fonts. */
  toPNG(options: PngOptions = {}): Uint8Array {
    return new resvgJs.Resvg(this.#svg, resvgOptions(options)).render().asPng();
  }

  /**
   * {@linkcode Figure.toPNG}'s image (the same bytes), drawn on a thread of its own: the
   * caller goes on while resvg loads the fonts and draws (about 20 ms a figure); the PNG
   * is encoded on the caller's thread once it awaits.
   */
  async toPNGAsync(options: PngOptions = {}): Promise<Uint8Array> {
    return (await resvgJs.renderAsync(this.#svg, resvgOptions(options))).asPng();
  }

  /**
   * The MIME bundle Jupyter shows: the SVG, a PNG (base64), an HTML `<img>` of
   * the SVG, and a text line. Each front end takes the richest it renders. The
   * `<img>` is for `jupyter nbconvert --to html` (6.5 to 7.x), whose HTML
   * export prefers `text/html`, then `image/svg+xml`, which its sanitizer
   * strips to a blank; the PNG is for viewers without HTML or SVG (and PDF).
   */
  [Symbol.for("Jupyter.display")](): Record<string, string> {
    const svg = base64(new TextEncoder().encode(this.#svg));
    const alt = this.title.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    return {
      "text/html":
        `<img alt="${alt}" width="${this.width}" style="max-width:100%;height:auto" src="data:image/svg+xml;base64,${svg}">`,
      "image/svg+xml": this.#svg,
      "image/png": base64(this.toPNG()),
      "text/plain": `Figure: ${this.title}`,
    };
  }
}
