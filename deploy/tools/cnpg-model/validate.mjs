// Reads CloudNativePG resources (a JSON array on stdin) into the operator's API model
// (@kubernetes-models/cloudnative-pg, generated from the operator's Go API types) and validates
// each: a field of the wrong type, a value outside an enumeration, a missing required field or
// a kind the model does not have is refused. Prints "ok <Kind>/<name>" or
// "error <Kind>/<name>: <reasons>" a line; exits 1 when any is refused.
import * as v1 from "@kubernetes-models/cloudnative-pg/postgresql.cnpg.io/v1";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const docs = JSON.parse(Buffer.concat(chunks).toString("utf8"));
let failed = false;
for (const doc of docs) {
  const name = `${doc.kind}/${doc.metadata?.name}`;
  const Model = doc.apiVersion === "postgresql.cnpg.io/v1" ? v1[doc.kind] : undefined;
  if (typeof Model !== "function" || Model.kind !== doc.kind) {
    failed = true;
    console.log(`error ${name}: ${doc.apiVersion} ${doc.kind} is not in the model`);
    continue;
  }
  try {
    new Model(doc).validate();
    console.log(`ok ${name}`);
  } catch (e) {
    failed = true;
    console.log(`error ${name}: ${String(e.message).replace(/\s+/g, " ")}`);
  }
}
process.exit(failed ? 1 : 0);
