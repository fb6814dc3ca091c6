// Validates AsyncAPI documents with the official parser (@asyncapi/parser, pinned in
// package-lock.json). Usage: node validate.mjs <document.json>...
// Prints every diagnostic; exits 1 when any document has an error.
import { readFile } from "node:fs/promises";
import { Parser, DiagnosticSeverity } from "@asyncapi/parser";

const parser = new Parser();
let failed = false;
for (const path of process.argv.slice(2)) {
  const { document, diagnostics } = await parser.parse(await readFile(path, "utf8"), { source: path });
  const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
  for (const d of diagnostics) {
    const level = d.severity === DiagnosticSeverity.Error ? "error" : "warning";
    console.log(`${path}: ${level} ${d.code} at ${d.path.join(".")}: ${d.message}`);
  }
  if (document === undefined || errors.length > 0) {
    failed = true;
    console.log(`${path}: INVALID (${errors.length} errors)`);
  } else {
    console.log(`${path}: valid AsyncAPI ${document.version()}, ${document.channels().length} channels, ${document.allMessages().length} messages`);
  }
}
process.exit(failed ? 1 : 0);
