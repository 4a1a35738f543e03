/**
 * The host's cost of memory the process has not touched before, printed as
 * microseconds per 4 KiB page: 256 MiB allocated and one byte written per
 * page, so that each page is faulted in once. A tracebook run or DuckDB's
 * touches hundreds of thousands of fresh pages, and the price of each varies
 * by two orders of magnitude between hosts (about 0.25 µs on a bare machine;
 * about 10 µs on a virtual machine whose host backs guest memory on first
 * touch), which moves the tables' wall times and ratios from run to run.
 *
 * @module
 */
const PAGE = 4096;
const bytes = 256 * 1024 * 1024;
const t0 = performance.now();
const memory = new Uint8Array(bytes);
for (let i = 0; i < bytes; i += PAGE) memory[i] = 1;
const seconds = (performance.now() - t0) / 1000;
console.log(((seconds * 1e6) / (bytes / PAGE)).toFixed(2));
