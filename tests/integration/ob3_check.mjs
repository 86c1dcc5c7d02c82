// Checks an Open Badges 3.0 VC-JWT the way an outside verifier would: the signature with npm
// jose against the registry's JWKS, and the credential against 1EdTech's JSON Schema for
// AchievementCredential with ajv (draft 2019-09). Usage: node ob3_check.mjs NODE_MODULES
// TOKEN_FILE JWKS_FILE SCHEMA_FILE; prints {verified, header, payload, schema_valid, errors}.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [nm, tokenFile, jwksFile, schemaFile] = process.argv.slice(2);
const load = (p) => import(pathToFileURL(join(nm, p)).href);
const jose = await load('jose/dist/webapi/index.js');
const Ajv2019 = (await load('ajv/dist/2019.js')).default;
const addFormats = (await load('ajv-formats/dist/index.js')).default;

const token = readFileSync(tokenFile, 'utf8').trim();
const out = { verified: false };
try {
  const jwks = jose.createLocalJWKSet(JSON.parse(readFileSync(jwksFile, 'utf8')));
  const { payload, protectedHeader } = await jose.jwtVerify(token, jwks, { algorithms: ['EdDSA'] });
  out.verified = true;
  out.header = protectedHeader;
  out.payload = payload;
} catch (e) {
  out.error = String(e && e.message || e);
  out.payload = jose.decodeJwt(token);
}
if (schemaFile) {
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(schemaFile, 'utf8')));
  const vc = out.payload;
  out.schema_valid = validate(vc);
  out.errors = validate.errors || [];
}
console.log(JSON.stringify(out));
