// Anti-robot proof of work for the "Créer un compte" form (progressive enhancement: without
// JavaScript the form asks a simple question instead). It finds a decimal solution s such that
// SHA-256(challenge + ":" + s) starts with `difficulty` zero bits, in slices so the page stays
// responsive, then fills the hidden field and hides the question.
"use strict";
(function () {
  var box = document.querySelector("[data-pow-difficulty]");
  if (!box) { return; }
  var form = box.closest("form");
  var challenge = form.querySelector("input[name=antiRobotChallenge]").value;
  var solutionField = box.querySelector("[data-pow-solution]");
  var status = box.querySelector("[data-pow-status]");
  var question = box.querySelector("[data-pow-question]");
  var difficulty = parseInt(box.getAttribute("data-pow-difficulty"), 10);
  if (!challenge || !(difficulty > 0)) { return; }

  var K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2]);
  var W = new Uint32Array(64);
  var H = new Uint32Array(8);

  // sha256First returns the first 32 bits of SHA-256 of the ASCII string s, and the second 32.
  function sha256(s) {
    var n = s.length, blocks = ((n + 9 + 63) >> 6), i, j, t;
    var bytes = new Uint8Array(blocks * 64);
    for (i = 0; i < n; i++) { bytes[i] = s.charCodeAt(i) & 0xff; }
    bytes[n] = 0x80;
    var bitLen = n * 8;
    bytes[blocks * 64 - 4] = (bitLen >>> 24) & 0xff;
    bytes[blocks * 64 - 3] = (bitLen >>> 16) & 0xff;
    bytes[blocks * 64 - 2] = (bitLen >>> 8) & 0xff;
    bytes[blocks * 64 - 1] = bitLen & 0xff;
    H[0] = 0x6a09e667; H[1] = 0xbb67ae85; H[2] = 0x3c6ef372; H[3] = 0xa54ff53a;
    H[4] = 0x510e527f; H[5] = 0x9b05688c; H[6] = 0x1f83d9ab; H[7] = 0x5be0cd19;
    for (j = 0; j < blocks; j++) {
      for (i = 0; i < 16; i++) {
        t = j * 64 + i * 4;
        W[i] = (bytes[t] << 24) | (bytes[t + 1] << 16) | (bytes[t + 2] << 8) | bytes[t + 3];
      }
      for (i = 16; i < 64; i++) {
        var w15 = W[i - 15], w2 = W[i - 2];
        var s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
        var s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
        W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
      }
      var a = H[0], b = H[1], c = H[2], d = H[3], e = H[4], f = H[5], g = H[6], h = H[7];
      for (i = 0; i < 64; i++) {
        var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        var ch = (e & f) ^ (~e & g);
        var t1 = (h + S1 + ch + K[i] + W[i]) | 0;
        var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        var maj = (a & b) ^ (a & c) ^ (b & c);
        var t2 = (S0 + maj) | 0;
        h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      H[0] += a; H[1] += b; H[2] += c; H[3] += d; H[4] += e; H[5] += f; H[6] += g; H[7] += h;
    }
    return H;
  }

  function leadingZeros(h) {
    var n = 0;
    for (var i = 0; i < 8; i++) {
      if (h[i] === 0) { n += 32; continue; }
      return n + Math.clz32(h[i]);
    }
    return n;
  }

  var prefix = challenge + ":";
  var counter = 0;
  status.hidden = false;
  status.textContent = "Vérification anti-robot en cours…";
  question.hidden = true;

  function slice() {
    var end = counter + 20000;
    for (; counter < end; counter++) {
      if (leadingZeros(sha256(prefix + counter)) >= difficulty) {
        solutionField.value = String(counter);
        status.textContent = "Vérification anti-robot terminée : vous pouvez valider le formulaire.";
        return;
      }
    }
    setTimeout(slice, 0);
  }
  setTimeout(slice, 0);

  // If the parent submits before the work is done, wait for it rather than send an empty proof.
  form.addEventListener("submit", function (ev) {
    if (solutionField.value === "" && question.hidden) {
      ev.preventDefault();
      status.textContent = "Vérification anti-robot en cours… le formulaire sera envoyé dans un instant.";
      var wait = setInterval(function () {
        if (solutionField.value !== "") { clearInterval(wait); form.submit(); }
      }, 100);
    }
  });
})();
