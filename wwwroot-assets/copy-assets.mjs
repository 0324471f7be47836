// Copies the browser builds of npm packages into the web root (Portal.Web/wwwroot/lib), which git ignores.
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const target = join(here, "..", "Portal.Web", "wwwroot", "lib");
const files = [["chart.js/dist/chart.umd.min.js", "chart.umd.min.js"]];

mkdirSync(target, { recursive: true });
for (const [from, to] of files) {
  copyFileSync(join(here, "node_modules", from), join(target, to));
  console.log(`copied ${from} -> Portal.Web/wwwroot/lib/${to}`);
}
