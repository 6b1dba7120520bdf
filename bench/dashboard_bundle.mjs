// The dashboard's JavaScript and CSS as a browser downloads them: every
// file of web/dist/assets gzipped (level 9), the total, and what the
// first page (the overview) loads before it is interactive.
import { readdirSync, readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const dir = new URL("../web/dist/", import.meta.url);
const files = readdirSync(new URL("assets/", dir)).filter((f) => /\.(js|css)$/.test(f));
const size = (f) => gzipSync(readFileSync(new URL(`assets/${f}`, dir)), { level: 9 }).length;
const rows = files.map((f) => [f, readFileSync(new URL(`assets/${f}`, dir)).length, size(f)]).sort((a, b) => b[2] - a[2]);
for (const [f, raw, gz] of rows) console.log(`${f.padEnd(36)} ${String(raw).padStart(8)} B  ${(gz / 1024).toFixed(1).padStart(6)} KB gz`);
const kb = (n) => (n / 1024).toFixed(1);
const js = rows.filter(([f]) => f.endsWith(".js")).reduce((s, r) => s + r[2], 0);
const all = rows.reduce((s, r) => s + r[2], 0);
// What the overview loads, from Vite's manifest: the entry, the overview
// page and their static imports, and the chart library the charts import.
const manifest = JSON.parse(readFileSync(new URL(".vite/manifest.json", dir), "utf8"));
const seen = new Set();
const walk = (key) => {
  const chunk = manifest[key];
  if (!chunk || seen.has(chunk.file)) return;
  seen.add(chunk.file);
  for (const imported of chunk.imports ?? []) walk(imported);
};
for (const key of ["index.html", "src/pages/Overview.tsx", "src/charts/chartjs.ts"]) walk(key);
const overview = [...seen].filter((f) => f.endsWith(".js")).reduce((s, f) => s + size(f.replace("assets/", "")), 0);
console.log(`all JavaScript: ${kb(js)} KB gz (limit 300); with CSS ${kb(all)} KB gz; the overview loads ${kb(overview)} KB gz of JavaScript (${[...seen].map((f) => f.replace("assets/", "")).join(", ")})`);
