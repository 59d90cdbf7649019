// The guest-side ctx (identical in every tier): builds ctx.llm/data/http/log on one host function that only moves strings.
//
// Host objects never enter the guest: the host function `__gh_call_host(method, argsJson, onDone)` takes the
// arguments the guest serialized itself (getters/proxies run once, inside the guest) and later calls the guest's
// own `onDone(resultJson)`. Results are parsed inside the guest, so Promises and Errors the app sees are guest-realm
// objects with no constructor chain back to the host.

const PRELUDE = String.raw`
(function () {
  'use strict';
  var call = globalThis.__gh_call_host;
  delete globalThis.__gh_call_host;
  // No shared memory (timing side channels), no nested wasm (memory outside our accounting).
  delete globalThis.SharedArrayBuffer;
  delete globalThis.Atomics;
  delete globalThis.WebAssembly;
  var stringify = JSON.stringify, parse = JSON.parse, freeze = Object.freeze, P = Promise;
  function invoke(method, args) {
    var payload;
    try { payload = stringify(args === undefined ? null : args); } catch (e) {
      return P.reject(new TypeError('ctx.' + method + ': arguments must be JSON-serializable'));
    }
    if (typeof payload !== 'string') payload = 'null';
    return new P(function (resolve, reject) {
      call(method, payload, function (resultJson) {
        var r = parse(resultJson);
        if (r.ok) { resolve(r.value); return; }
        var err = new Error(r.error.message);
        err.name = r.error.name;
        if (r.error.code) err.code = r.error.code;
        reject(err);
      });
    });
  }
  function log() {
    var args = Array.prototype.slice.call(arguments);
    invoke('log', { args: args }).catch(function () {});
  }
  var ctx = freeze({
    llm: freeze({ chat: function (request) { return invoke('llm.chat', request); } }),
    data: freeze({
      query: function (dataset, request) { return invoke('data.query', { dataset: dataset, request: request === undefined ? {} : request }); },
      sql: function (dataset, sql, params) { return invoke('data.sql', { dataset: dataset, sql: sql, params: params === undefined ? [] : params }); },
    }),
    http: freeze({
      fetch: function (url, init) {
        return invoke('http.fetch', { url: url, init: init === undefined ? {} : init }).then(function (r) {
          return freeze({ status: r.status, ok: r.status >= 200 && r.status < 300, headers: freeze(r.headers), url: r.url,
            text: function () { return P.resolve(r.body); },
            json: function () { return P.resolve().then(function () { return parse(r.body); }); } });
        });
      },
    }),
    log: log,
  });
  globalThis.__gh_ctx = ctx;
})();
`;

const TAIL = String.raw`
;(function () {
  'use strict';
  var ctx = globalThis.__gh_ctx;
  delete globalThis.__gh_ctx;
  var stringify = JSON.stringify, parse = JSON.parse, P = Promise;
  var app = typeof __gh_app === 'object' && __gh_app !== null ? __gh_app : {};
  var main = app.default;
  globalThis.__gh_start = function (inputJson, done) {
    delete globalThis.__gh_start;
    if (typeof main !== 'function') { done(false, 'the app must export default async function main(input, ctx)'); return; }
    P.resolve().then(function () { return main(parse(inputJson), ctx); }).then(function (value) {
      var s;
      try { s = stringify(value === undefined ? null : value); } catch (e) { done(false, 'main returned a value that is not JSON-serializable'); return; }
      done(true, typeof s === 'string' ? s : 'null');
    }, function (e) {
      var msg;
      try { msg = String(e && e.message !== undefined ? e.message : e); } catch (e2) { msg = 'main threw a value that cannot be printed'; }
      done(false, msg);
    });
  };
})();
`;

/** The full script a tier evaluates: prelude, the app bundle (defines `__gh_app`), then the start hook. */
export function guestScript(bundle: string): string {
  return `${PRELUDE}\n${bundle}\n${TAIL}`;
}

/** The longest error message we pass back from a guest. */
export const MAX_GUEST_MESSAGE = 2000;
