// A Gateway with HTTP, TLS passthrough, TCP and UDP listeners and a route of each kind:
// examples/protocols.yaml, shared with the Python tests and core/tests/alloc.rs.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const L4 = fs.readFileSync(
  path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', 'protocols.yaml'),
  'utf8',
);

