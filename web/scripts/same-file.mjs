// Fails when two files differ: CI's check that the committed API types
// were generated from the committed OpenAPI document.
import { readFileSync, rmSync } from "node:fs";

const [committed, fresh] = process.argv.slice(2);
const same = readFileSync(committed, "utf8") === readFileSync(fresh, "utf8");
rmSync(fresh);
if (!same) {
  console.error(`${committed} is stale: run \`npm run api-types\` in web/ and commit it`);
  process.exit(1);
}
