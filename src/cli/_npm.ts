/**
 * Every npm package tracebook's source imports, each by an `import defer` that
 * evaluates nothing: `main.ts` imports this module so that Deno resolves them
 * all with the CLI's first module graph. A command is then loaded by a dynamic
 * `import()` of its module alone (a `replay` from the results cache loads a few
 * dozen modules, not the ~600 of every command); with `nodeModulesDir: "auto"`,
 * an `import()` that meets a package not yet resolved re-checks `node_modules/`
 * once per module importing it (about 0.25 s for `analyze`'s graph), one that
 * meets only resolved packages does not. `tests/cli/npm_test.ts` checks that the
 * list is complete.
 *
 * @module
 */
// deno-lint-ignore-file no-unused-vars -- each import is there to be resolved, not used
import defer * as commander from "npm:commander@15.1.0";
import defer * as cliProgress from "npm:cli-progress@3.12.0";
import defer * as polars from "npm:nodejs-polars@0.25.2";
import defer * as zod from "npm:zod@4.6.7";
import defer * as tinyglobby from "npm:tinyglobby@0.2.17";
import defer * as csvStream from "npm:csv-parse@7.0.3";
import defer * as json5 from "npm:json5@2.2.3";
import defer * as genaiPrices from "npm:@pydantic/genai-prices@0.1.8";
import defer * as stdlibNormalCdf from "npm:@stdlib/stats-base-dists-normal-cdf@0.3.1";
import defer * as stdlibHypergeometricPmf from "npm:@stdlib/stats-base-dists-hypergeometric-pmf@0.3.1";
import defer * as stdlibBinomialCdf from "npm:@stdlib/stats-base-dists-binomial-cdf@0.2.3";
import defer * as stdlibMt19937 from "npm:@stdlib/random-base-mt19937@0.2.3";
import defer * as stdlibWilcoxon from "npm:@stdlib/stats-wilcoxon@0.2.3";
import defer * as plot from "npm:@observablehq/plot@0.6.17";
import defer * as linkedom from "npm:linkedom@0.18.15";
import defer * as resvg from "npm:@resvg/resvg-js@2.6.2";
import defer * as eta from "npm:eta@4.6.0";
import defer * as protobuf from "npm:protobufjs@8.8.1/light.js";
import defer * as crc32c from "npm:crc-32@1.2.2/crc32c.js";
import defer * as secretlint from "npm:@secretlint/secretlint-rule-preset-recommend@13.0.7";
import defer * as otelApi from "npm:@opentelemetry/api@1.10.0";
import defer * as otelSdkTrace from "npm:@opentelemetry/sdk-trace@3.1.0";
import defer * as otelResources from "npm:@opentelemetry/resources@3.1.0";
import defer * as otelExporter from "npm:@opentelemetry/exporter-trace-otlp-http@0.301.0";
