/**
 * The stdlib functions the statistics use, in one module that `stats.ts` and
 * `run_compare.ts` import with `import defer`: stdlib's packages are hundreds of
 * small CommonJS files (about 0.2 s to evaluate), so they run when a comparison
 * first needs them, not when tracebook is imported.
 *
 * @module
 */
export { default as normalCdf } from "npm:@stdlib/stats-base-dists-normal-cdf@0.3.1";
export { default as hypergeometricPmf } from "npm:@stdlib/stats-base-dists-hypergeometric-pmf@0.3.1";
export { default as binomialCdf } from "npm:@stdlib/stats-base-dists-binomial-cdf@0.2.3";
export { default as mt19937 } from "npm:@stdlib/random-base-mt19937@0.2.3";
export { default as wilcoxon } from "npm:@stdlib/stats-wilcoxon@0.2.3";
