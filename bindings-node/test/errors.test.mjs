import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { YAML } from './fixtures.mjs';

const require = createRequire(import.meta.url);
const trieway = require('../index.js');
const { Router, ConfigError, NOT_FOUND } = trieway;

const router = Router.fromYaml(YAML);

function throwsCode(fn, Class, code, message) {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof Class, `expected ${Class.name}, got ${e && e.constructor.name}: ${e && e.message}`);
    assert.ok(e instanceof Error);
    assert.equal(e.code, code);
    if (message) assert.match(e.message, message);
    return true;
  });
}

test('bad YAML: ConfigError with issues', () => {
  throwsCode(() => Router.fromYaml('kind: [unclosed'), ConfigError, 'ERR_TRIEWAY_INVALID_CONFIG', /invalid YAML/);
  try {
    Router.fromYaml('kind: [unclosed');
  } catch (e) {
    assert.equal(e.name, 'ConfigError');
    assert.equal(e.issues.length, 1);
    assert.deepEqual(e.issues[0].origin, { file: '<string>', index: 0 });
    assert.match(e.issues[0].message, /invalid YAML/);
    assert.ok(e.stack.includes('errors.test.mjs'));
  }
});

test('invalid objects: every problem with its field path', () => {
  const bad = `${YAML}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: bad, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules:
    - matches: [{path: {type: PathPrefix, value: no-slash}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: bad2, namespace: default}
spec:
  rules: "not a list"
`;
  try {
    Router.fromYaml(bad);
    assert.fail('no error');
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    assert.equal(e.code, 'ERR_TRIEWAY_INVALID_CONFIG');
    assert.ok(e.issues.length >= 2, JSON.stringify(e.issues));
    const first = e.issues.find((i) => i.object === 'default/bad');
    assert.equal(first.kind, 'HTTPRoute');
    assert.match(first.field, /spec\.rules\[0\]\.matches\[0\]\.path/);
    assert.ok(e.issues.some((i) => i.object === 'default/bad2'));
    assert.match(e.message, /invalid object/);
  }
});

test('no Gateway, unknown Gateway: ERR_TRIEWAY_GATEWAY', () => {
  throwsCode(() => Router.fromYaml('apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n'), ConfigError, 'ERR_TRIEWAY_GATEWAY', /no Gateway/);
  throwsCode(() => Router.fromYaml(YAML, { gateway: 'default/other' }), ConfigError, 'ERR_TRIEWAY_GATEWAY', /default\/other/);
  throwsCode(() => Router.fromYaml(YAML, { controllerName: 'someone/else' }), ConfigError, 'ERR_TRIEWAY_GATEWAY');
});

test('bad JSON', () => {
  throwsCode(() => Router.fromJson('{"kind": '), ConfigError, 'ERR_TRIEWAY_INVALID_CONFIG', /invalid JSON/);
  throwsCode(() => Router.fromJson('[1, 2]'), ConfigError, 'ERR_TRIEWAY_INVALID_CONFIG', /expected an object/);
  const cyclic = {};
  cyclic.self = cyclic;
  assert.throws(() => Router.fromJson(cyclic), TypeError);
});

test('wrong argument types', () => {
  throwsCode(() => Router.fromYaml(42), TypeError, 'ERR_INVALID_ARG_TYPE');
  throwsCode(() => Router.fromYaml(null), TypeError, 'ERR_INVALID_ARG_TYPE');
  throwsCode(() => Router.fromJson(7), TypeError, 'ERR_INVALID_ARG_TYPE');
  throwsCode(() => Router.fromYaml(YAML, 'opts'), TypeError, 'ERR_INVALID_ARG_TYPE');
  throwsCode(() => Router.fromYaml(YAML, { hostIsolation: 'yes' }), TypeError, 'ERR_INVALID_ARG_TYPE', /hostIsolation/);
  throwsCode(() => Router.fromYaml(YAML, { regexRank: 'first' }), TypeError, 'ERR_INVALID_ARG_VALUE', /regexRank/);
  throwsCode(() => Router.fromYaml(YAML, { hostIsolaton: true }), TypeError, 'ERR_INVALID_ARG_VALUE', /unknown option/);
  throwsCode(() => Router.fromYaml(YAML, { allWeightsZeroStatus: 42 }), RangeError, 'ERR_OUT_OF_RANGE');
  throwsCode(() => new Router(), TypeError, undefined);
  // Options are deserialized by the core: errors name the option as written.
  throwsCode(() => Router.fromYaml(YAML, { maxPathLenght: 10 }), TypeError, 'ERR_INVALID_ARG_VALUE', /^unknown option `maxPathLenght`; the options are 'controllerName', .*'maxPathLen'/);
  throwsCode(() => Router.fromYaml(YAML, { repeatedHeaders: 'all' }), TypeError, 'ERR_INVALID_ARG_VALUE', /^option `repeatedHeaders`: invalid value "all", expected 'join', 'first' or 'any'/);
  throwsCode(() => Router.fromYaml(YAML, { regexRank: 'below' }), TypeError, 'ERR_INVALID_ARG_VALUE', /'betweenExactAndPrefix' or 'belowPrefix'/);
  throwsCode(() => Router.fromYaml(YAML, { maxPathLen: 0 }), RangeError, 'ERR_OUT_OF_RANGE', /^option `maxPathLen`: out of range: 0, expected an integer from 1 to/);
  throwsCode(() => Router.fromYaml(YAML, { maxQueryLen: 1.5 }), RangeError, 'ERR_OUT_OF_RANGE', /maxQueryLen/);
  throwsCode(() => Router.fromYaml(YAML, { regexSizeLimit: '1' }), TypeError, 'ERR_INVALID_ARG_TYPE', /^option `regexSizeLimit`: invalid type/);
  throwsCode(() => Router.fromYaml(YAML, { strict: 1 }), TypeError, 'ERR_INVALID_ARG_TYPE', /strict/);
  // Valid values of every kind are accepted (camelCase names and enum values).
  Router.fromYaml(YAML, { extensionKinds: ['example.com/Auth'], unknownFields: 'ignore', allWeightsZeroStatus: 503, maxHeaderValueLen: 0 });
  throwsCode(() => Router.fromShared('1'), TypeError, 'ERR_INVALID_ARG_TYPE');

  throwsCode(() => router.route(), TypeError, 'ERR_INVALID_ARG_TYPE');
  throwsCode(() => router.route('/api'), TypeError, 'ERR_INVALID_ARG_TYPE');
  throwsCode(() => router.route({ host: 'edge.test' }), TypeError, 'ERR_INVALID_ARG_TYPE', /path/);
  throwsCode(() => router.route({ host: 5, path: '/' }), TypeError, 'ERR_INVALID_ARG_TYPE', /host/);
  throwsCode(() => router.route({ method: 1, path: '/' }), TypeError, 'ERR_INVALID_ARG_TYPE', /method/);
  throwsCode(() => router.route({ path: '/', port: '80' }), TypeError, 'ERR_INVALID_ARG_TYPE', /port/);
  throwsCode(() => router.route({ path: '/', port: 70000 }), RangeError, 'ERR_OUT_OF_RANGE', /port/);
  throwsCode(() => router.route({ path: '/', port: 80.5 }), RangeError, 'ERR_OUT_OF_RANGE');
  throwsCode(() => router.route({ path: '/', sni: {} }), TypeError, 'ERR_INVALID_ARG_TYPE', /sni/);
  throwsCode(() => router.route({ path: '/', headers: 'x-a: 1' }), TypeError, 'ERR_INVALID_ARG_TYPE', /headers/);
  throwsCode(() => router.route({ path: '/', headers: ['x-a'] }), TypeError, 'ERR_INVALID_ARG_TYPE', /even length/);
  throwsCode(() => router.routeRequest({ method: 'GET', url: '/', rawHeaders: 'Host: x' }), TypeError, 'ERR_INVALID_ARG_TYPE');
  throwsCode(() => router.routeBatch('x'), TypeError, 'ERR_INVALID_ARG_TYPE');
  throwsCode(() => router.routePaths([1], { host: 'edge.test' }), TypeError, 'ERR_INVALID_ARG_TYPE');
  const m = router.route({ host: 'edge.test', path: '/split' });
  throwsCode(() => m.pick(1), RangeError, 'ERR_OUT_OF_RANGE');
  throwsCode(() => m.pick(-0.1), RangeError, 'ERR_OUT_OF_RANGE');
  throwsCode(() => m.pick('0.5'), TypeError, 'ERR_INVALID_ARG_TYPE');
  throwsCode(() => m.apply({ host: 'edge.test', path: '/split' }, { random: 2 }), RangeError, 'ERR_OUT_OF_RANGE');
  throwsCode(() => m.apply(null), TypeError, 'ERR_INVALID_ARG_TYPE');
});

test('non-string header values', () => {
  // Object headers are read (and checked) eagerly.
  for (const value of [1, null, undefined, {}, [1], true]) {
    throwsCode(() => router.route({ host: 'edge.test', path: '/api', headers: { 'x-version': value } }), TypeError, 'ERR_INVALID_ARG_TYPE', /x-version/);
  }
  // A flat array is read only when a rule needs headers: on a header-matching route the
  // bad value is reported; a lookup that needs no header never reads it.
  throwsCode(() => router.route({ host: 'edge.test', path: '/api', headers: ['x-version', 2] }), TypeError, 'ERR_INVALID_ARG_TYPE', /headers\[1\]/);
  throwsCode(() => router.route({ host: 'edge.test', path: '/api', headers: [7, '2'] }), TypeError, 'ERR_INVALID_ARG_TYPE');
  assert.equal(router.route({ host: 'edge.test', path: '/healthz', headers: ['x-version', 2] }).ruleName, 'health');
  // The router still works after an error.
  assert.equal(router.route({ host: 'edge.test', path: '/api', headers: ['x-version', '2'] }).ruleName, 'api-v2');
});

test('huge strings', () => {
  // Path: beyond the path limit nothing can match, and nothing is copied.
  const long = '/api/' + 'a'.repeat(20 * 1024 * 1024);
  assert.equal(router.route({ host: 'edge.test', path: long }), NOT_FOUND);
  // Host: longer than any hostname: only `*` could match.
  assert.equal(router.route({ host: 'h'.repeat(1 << 20) + '.edge.test', path: '/api' }), NOT_FOUND);
  // Header value: read and compared.
  assert.equal(router.route({ host: 'edge.test', path: '/api', headers: ['x-version', '2'.repeat(1 << 20)] }).ruleName, 'api');
  // Non-ASCII and lone surrogates survive the UTF-8 conversion.
  assert.equal(router.route({ host: 'edge.test', path: '/api/ü/\ud800' }).ruleName, 'api');
  // Configuration larger than the 64 MiB load limit.
  const big = YAML + '\n# ' + 'x'.repeat(65 * 1024 * 1024) + '\n';
  throwsCode(() => Router.fromYaml(big), ConfigError, 'ERR_TRIEWAY_INVALID_CONFIG', /exceeds the limit/);
  // Not UTF-8 bytes.
  throwsCode(() => Router.fromYaml(new Uint8Array([0x6b, 0xff, 0xfe])), ConfigError, 'ERR_TRIEWAY_INVALID_CONFIG', /UTF-8/);
});

test('a Rust panic becomes an Error, not an abort', () => {
  // The panic hook is no part of the package's exports; the native module has it, armed only
  // by TRIEWAY_PANIC_TEST=1.
  assert.equal(trieway.__panicForTest, undefined);
  const native = require('../lib/native.js');
  assert.throws(() => native.__panicForTest(), /needs TRIEWAY_PANIC_TEST=1/);
  process.env.TRIEWAY_PANIC_TEST = '1';
  try {
    assert.throws(
      () => native.__panicForTest(),
      (e) => {
        const d = JSON.parse(e.message);
        assert.equal(d.code, 'ERR_TRIEWAY_PANIC');
        assert.match(d.message, /deliberate panic/);
        return true;
      },
    );
  } finally {
    delete process.env.TRIEWAY_PANIC_TEST;
  }
  // The process is alive and routing still works.
  assert.equal(router.route({ host: 'edge.test', path: '/api' }).ruleName, 'api');
});

test('shared router tokens: released tokens are refused', () => {
  const r = Router.fromYaml(YAML);
  const t = r.share();
  assert.equal(r.share(), t);
  const copy = Router.fromShared(t);
  r.unshare();
  throwsCode(() => Router.fromShared(t), Error, 'ERR_TRIEWAY_SHARED_GONE');
  // A Router made from the token keeps working after the registration ends.
  assert.equal(copy.route({ host: 'edge.test', path: '/api' }).ruleName, 'api');
});

test('unknown fields: strict loading throws with the field and a suggestion; strict: false warns', () => {
  const typo = `${YAML}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: typo, namespace: default}
spec:
  parentRefs: [{name: gw, sectionName: http}]
  hostnames: [typo.test]
  rules: [{backendRefs: [{name: a, port: 80}], backendRef: [{name: a, port: 80}]}]
`;
  const field = 'spec.rules[0].backendRef';
  const message = 'unknown field, did you mean backendRefs?';
  try {
    Router.fromYaml(typo);
    assert.fail('no error');
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    assert.equal(e.code, 'ERR_TRIEWAY_INVALID_CONFIG');
    const issue = e.issues.find((i) => i.object === 'default/typo');
    assert.deepEqual([issue.kind, issue.field, issue.message], ['HTTPRoute', field, message]);
    assert.match(e.message, /backendRef: unknown field, did you mean backendRefs\?/);
  }
  const lenient = Router.fromYaml(typo, { strict: false });
  assert.deepEqual(lenient.errors, []);
  const warning = lenient.warnings.find((w) => w.field === field);
  assert.equal(warning.message, message);
  assert.equal(lenient.route({ host: 'typo.test', path: '/' }).route.name, 'typo');
});
