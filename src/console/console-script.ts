// The console's only client script (served at /assets/console.js): confirmation dialogs for dangerous forms and
// the in-browser audit inclusion-proof check (WebCrypto SHA-256 and Ed25519), showing every hash step.
// Plain ES2020 in a string: nothing to bundle, nothing fetched from elsewhere.
export const CONSOLE_JS = String.raw`
'use strict';
document.addEventListener('submit', function (ev) {
  var form = ev.target;
  var msg = form && form.getAttribute && form.getAttribute('data-confirm');
  if (msg && !window.confirm(msg)) ev.preventDefault();
});

// Copy buttons on the guides page: data-copy names the element whose text is copied.
document.addEventListener('click', function (ev) {
  var btn = ev.target && ev.target.closest && ev.target.closest('button[data-copy]');
  if (!btn) return;
  var src = document.getElementById(btn.getAttribute('data-copy'));
  var note = btn.parentNode.querySelector('.copied');
  if (!src) return;
  var done = function (text) { if (note) note.textContent = text; };
  if (navigator.clipboard && navigator.clipboard.writeText)
    navigator.clipboard.writeText(src.textContent).then(function () { done('Copied.'); }, function () { done('Copy failed; select the text instead.'); });
  else done('Copy is not available here; select the text instead.');
});

function b64ToBytes(s) {
  var bin = atob(s);
  var out = new Uint8Array(bin.length);
  for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
function hex(bytes) {
  return Array.from(bytes, function (b) { return b.toString(16).padStart(2, '0'); }).join('');
}
function concat(parts) {
  var n = parts.reduce(function (a, p) { return a + p.length; }, 0);
  var out = new Uint8Array(n), o = 0;
  parts.forEach(function (p) { out.set(p, o); o += p.length; });
  return out;
}
async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}
function eq(a, b) {
  if (a.length !== b.length) return false;
  for (var i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// RFC 9162 section 2.1.3.2, the same walk as src/audit/merkle.ts rootFromInclusionProof.
async function rootFromProof(index, size, leafHash, proof, step) {
  var fn = index, sn = size - 1, r = leafHash;
  for (var i = 0; i < proof.length; i++) {
    var p = proof[i];
    if (sn === 0) throw new Error('proof is longer than the tree is deep');
    if (fn % 2 === 1 || fn === sn) {
      r = await sha256(concat([new Uint8Array([1]), p, r]));
      step('node ' + (i + 1) + ' = SHA-256(01 || sibling ' + hex(p).slice(0, 16) + '… || current) = ' + hex(r));
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    } else {
      r = await sha256(concat([new Uint8Array([1]), r, p]));
      step('node ' + (i + 1) + ' = SHA-256(01 || current || sibling ' + hex(p).slice(0, 16) + '…) = ' + hex(r));
    }
    fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new Error('proof is shorter than the tree is deep');
  return r;
}

async function checkSignature(note, verifierKey, step) {
  var m = /^([^+]+)\+([0-9a-f]{8})\+(.+)$/.exec(verifierKey.trim());
  if (!m) throw new Error('verifier key is malformed');
  var name = m[1], raw = b64ToBytes(m[3]);
  if (raw.length !== 33 || raw[0] !== 1) throw new Error('verifier key is not an Ed25519 key');
  var pub = raw.slice(1);
  var idHash = await sha256(concat([new TextEncoder().encode(name + '\n'), new Uint8Array([1]), pub]));
  if (hex(idHash.slice(0, 4)) !== m[2]) throw new Error('verifier key id does not match its key');
  var split = note.indexOf('\n\n');
  var body = note.slice(0, split + 1);
  var line = note.slice(split + 2).split('\n').find(function (l) { return l.indexOf('\u2014 ' + name + ' ') === 0; });
  if (!line) throw new Error('checkpoint carries no signature by ' + name);
  var sig = b64ToBytes(line.split(' ')[2]);
  if (hex(sig.slice(0, 4)) !== m[2]) throw new Error('signature key id does not match the pinned key');
  var key;
  try {
    key = await crypto.subtle.importKey('raw', pub, { name: 'Ed25519' }, false, ['verify']);
  } catch (e) {
    step('Ed25519 is not available in this browser\'s WebCrypto; signature not checked here (use gatehouse audit verify).');
    return 'unsupported';
  }
  var ok = await crypto.subtle.verify({ name: 'Ed25519' }, key, sig.slice(4), new TextEncoder().encode(body));
  step('Ed25519 signature by ' + name + ' over the checkpoint text: ' + (ok ? 'valid' : 'INVALID'));
  if (!ok) throw new Error('checkpoint signature is invalid');
  return 'valid';
}

async function verifyInclusion(index, out) {
  var steps = out.querySelector('.steps'), result = out.querySelector('.result');
  steps.textContent = ''; result.textContent = 'Checking…'; result.className = 'result';
  function step(t) { var li = document.createElement('li'); li.textContent = t; steps.appendChild(li); }
  try {
    var res = await fetch('/audit/proof?index=' + encodeURIComponent(index), { credentials: 'same-origin' });
    var p = await res.json();
    if (!res.ok) throw new Error(p.error ? p.error.message : res.statusText);
    var pinned = localStorage.getItem('gatehouse.auditKey');
    if (!pinned) { localStorage.setItem('gatehouse.auditKey', p.verifierKey); pinned = p.verifierKey; step('pinned verifier key (first use): ' + pinned); }
    else if (pinned !== p.verifierKey) throw new Error('the server\'s verifier key differs from the key pinned in this browser');
    else step('verifier key matches the pinned key ' + pinned);
    var lines = p.checkpoint.split('\n');
    var size = Number(lines[1]), root = b64ToBytes(lines[2]);
    step('checkpoint: origin ' + lines[0] + ', tree size ' + size + ', root ' + hex(root));
    var sig = await checkSignature(p.checkpoint, pinned, step);
    if (p.treeSize !== size) throw new Error('proof is for tree size ' + p.treeSize + ', checkpoint has ' + size);
    var leaf = b64ToBytes(p.entry);
    var leafHash = await sha256(concat([new Uint8Array([0]), leaf]));
    step('leaf ' + index + ' = SHA-256(00 || ' + leaf.length + ' entry bytes) = ' + hex(leafHash));
    var got = await rootFromProof(p.leafIndex, p.treeSize, leafHash, p.inclusionPath.map(b64ToBytes), step);
    if (!eq(got, root)) throw new Error('computed root ' + hex(got) + ' is not the checkpoint root');
    step('computed root equals the checkpoint root');
    result.textContent = 'Verified: entry ' + index + ' is in the signed tree of size ' + size + (sig === 'valid' ? ' (signature checked in this browser).' : ' (signature not checked: no Ed25519 here).');
    result.className = 'result pass';
  } catch (e) {
    result.textContent = 'NOT verified: ' + e.message;
    result.className = 'result fail';
  }
}

document.addEventListener('click', function (ev) {
  var b = ev.target.closest && ev.target.closest('button[data-verify-index]');
  if (!b) return;
  ev.preventDefault();
  verifyInclusion(b.getAttribute('data-verify-index'), document.getElementById('proof'));
});
`;
