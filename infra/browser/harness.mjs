// Headless browser harness for Préau's journeys (node:test + playwright-core + axe-core).
//
// A test file calls useStack() once at top level. Before its tests run, the harness starts the
// local stack (`go run ./infra/local`) on a free port with a fresh data directory, waits until
// the portal answers, and launches Debian's Chromium; after them it closes the browser and stops
// the stack (by the process group it started, never by name).
//
//	import { test } from "node:test";
//	import assert from "node:assert/strict";
//	import { useStack } from "./harness.mjs";
//
//	const stack = useStack({ clock: "2026-12-01T09:00:00+01:00" });
//
//	test("the home page", async () => {
//	  const page = await stack.page();                // fresh context: no cookies
//	  await page.goto(stack.url("/"));
//	  await stack.expectAccessible(page);             // axe-core, WCAG 2.1 A/AA, zero violations
//	});
//
// Settings (environment):
//
//	CHROMIUM=/usr/bin/chromium   the browser (Debian's package); missing: tests skip, or fail when CI=true
//	PREAU_BASE_URL=http://…      test an already running stack instead of starting one (its clock,
//	                             data and mailbox are then those of that stack; pass PREAU_MAILBOX_URL too)
//	PREAU_STACK_LOG=1            copy the stack's output to stderr
//
// Under `make test` the AWS_ENDPOINT_URL_* variables of the test emulators are passed on to the
// stack, so a stack that can reuse them does; LOCAL_DIR, LOCAL_MAILBOX_PORT, LOCAL_PAYFIP_PORT and PORT keep each
// stack's data, mailbox and portal apart from a developer's `make run`.

import { after, before } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");

/** Repository root (infra/browser/../..). */
export const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The Chromium binary the tests drive. */
export const chromiumPath = process.env.CHROMIUM || "/usr/bin/chromium";

/** Chromium's switches: headless, sandbox-less (containers), and no traffic of its own. */
export const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/** The axe-core rule tags the audit runs: WCAG 2.0 and 2.1, levels A and AA. */
export const wcagTags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/** A phone: the viewport of a small smartphone (iPhone SE class). */
export const phone = { width: 375, height: 667 };

const isCI = process.env.CI === "true";

/**
 * Whether the browser can run. Without Chromium, tests are skipped on a developer's machine
 * (with the reason) but fail under CI=true, where .ci/run installs it.
 */
export function browserAvailable() {
  if (existsSync(chromiumPath)) return { ok: true };
  const reason = `Chromium not found at ${chromiumPath} (apt-get install chromium, or set CHROMIUM)`;
  if (isCI) throw new Error(`${reason}: browser tests cannot be skipped under CI`);
  return { ok: false, reason };
}

/** Returns a free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts the local stack and resolves once the portal answers. The stack runs in its own process
 * group so that stop() ends `go run` and everything it started, and nothing else.
 *
 * @param {object} [o]
 * @param {string} [o.clock]  LOCAL_CLOCK: the local instant to start at (RFC 3339); it then runs
 * @param {Record<string,string>} [o.env]  more environment for the stack
 * @param {number} [o.timeoutMs]  how long to wait for it (the first build of every function is slow)
 */
export async function startStack(o = {}) {
  if (process.env.PREAU_BASE_URL) {
    const baseURL = process.env.PREAU_BASE_URL.replace(/\/$/, "");
    await waitReady(baseURL, null, o.timeoutMs ?? 30_000);
    return { baseURL, mailbox: process.env.PREAU_MAILBOX_URL || null, external: true, stop: async () => {} };
  }
  const port = await freePort();
  const mailboxPort = await freePort();
  const payfipPort = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "preau-browser-"));
  const env = {
    ...process.env,
    PORT: String(port),
    LOCAL_DIR: dir,
    LOCAL_MAILBOX_PORT: String(mailboxPort),
    LOCAL_PAYFIP_PORT: String(payfipPort),
    LOCAL_INSTANCES: "1",
    ...(o.clock ? { LOCAL_CLOCK: o.clock } : {}),
    ...(o.env || {}),
  };
  const log = [];
  const child = spawn("go", ["run", "./infra/local"], { cwd: root, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const keep = (chunk) => {
    const s = chunk.toString();
    log.push(s);
    if (log.length > 400) log.splice(0, log.length - 400);
    if (process.env.PREAU_STACK_LOG) process.stderr.write(s);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const exited = new Promise((r) => child.on("exit", (code, signal) => r({ code, signal })));

  const baseURL = `http://127.0.0.1:${port}`;
  const stack = {
    baseURL,
    mailbox: null,
    dir,
    log: () => log.join(""),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid, "SIGINT"); // the group we started: go run and the stack
        } catch {}
        const done = await Promise.race([exited, sleep(20_000).then(() => null)]);
        if (!done) {
          try {
            process.kill(-child.pid, "SIGKILL");
          } catch {}
          await exited;
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await waitReady(baseURL, exited, o.timeoutMs ?? 240_000);
  } catch (err) {
    await stack.stop();
    throw new Error(`${err.message}\n--- local stack output ---\n${log.join("").slice(-4000)}`);
  }
  const m = /Mailbox\s+(http:\/\/\S+)/.exec(log.join(""));
  stack.mailbox = m ? m[1] : `http://127.0.0.1:${mailboxPort}`;
  return stack;
}

/** Polls GET / until it answers 200, the process exits, or time runs out. */
async function waitReady(baseURL, exited, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let gone = null;
  exited?.then((e) => (gone = e));
  let last = "no answer";
  while (Date.now() < deadline) {
    if (gone) throw new Error(`the local stack exited (${gone.signal || gone.code}) before serving ${baseURL}`);
    try {
      const res = await fetch(baseURL + "/", { signal: AbortSignal.timeout(5_000) });
      if (res.status === 200) return;
      last = `status ${res.status}`;
    } catch (err) {
      last = err.cause?.code || err.message;
    }
    await sleep(500);
  }
  throw new Error(`the local stack did not serve ${baseURL}/ within ${timeoutMs / 1000} s (${last})`);
}

/** Launches headless Chromium with a fresh profile (Playwright gives each launch its own). */
export function launchBrowser() {
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
}

/**
 * Runs axe-core on the page as it is now and returns the violations of the WCAG 2.1 A/AA rules.
 * The page's CSP forbids injected scripts, so the audit runs in a context that bypasses CSP:
 * open audited pages with stack.page({ audit: true }) (the default).
 */
export async function axeViolations(page) {
  const source = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
  await page.addScriptTag({ content: source });
  const result = await page.evaluate(
    (tags) => globalThis.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] }),
    wcagTags,
  );
  return result.violations;
}

/** Formats axe violations for an assertion message. */
export function describeViolations(violations) {
  return violations
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n` + v.nodes.map((n) => `    ${n.target.join(" ")}: ${n.failureSummary}`).join("\n"))
    .join("\n");
}

/**
 * Registers before/after hooks around the calling test file: a stack and a browser for its
 * tests. Returns the handle the tests use; its fields are set once before() has run.
 *
 * A file that starts its stack at a given instant (o.clock) expects the dates that follow from
 * it: its tests are skipped against an already running stack (PREAU_BASE_URL), whose clock and
 * data are its own, unless the file says it checks those dates only on its own stack
 * (o.clockOptional, with stack.stack.external).
 */
export function useStack(o = {}) {
  const contexts = [];
  const h = {
    stack: null,
    browser: null,
    skip: null,
    /** Absolute URL of a path on the portal. */
    url: (path) => h.stack.baseURL + path,
    /**
     * A new page in a fresh browser context (no cookies). phone: true gives a 375×667 touch
     * viewport; audit: false keeps the page's CSP enforced (no axe injection possible then).
     */
    async page({ phone: onPhone = false, audit = true, ...contextOptions } = {}) {
      const ctx = await h.browser.newContext({
        locale: "fr-FR",
        timezoneId: "Europe/Paris",
        bypassCSP: audit,
        ...(onPhone ? { viewport: phone, isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
        ...contextOptions,
      });
      contexts.push(ctx);
      const page = await ctx.newPage();
      page.setDefaultTimeout(15_000);
      return page;
    },
    /** Asserts that axe-core finds no WCAG 2.1 A/AA violation on the page. */
    async expectAccessible(page) {
      const violations = await axeViolations(page);
      assert.equal(violations.length, 0, `accessibility violations on ${page.url()}:\n${describeViolations(violations)}`);
    },
    /** Asserts that the page does not scroll sideways (nothing wider than the viewport). */
    async expectNoHorizontalScroll(page) {
      const { scroll, client, culprits } = await page.evaluate(() => {
        const el = document.documentElement;
        const wide = [...document.querySelectorAll("body *")]
          .filter((e) => e.getBoundingClientRect().right > el.clientWidth + 1)
          .slice(0, 5)
          .map((e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className ? "." + String(e.className).replace(/\s+/g, ".") : ""));
        return { scroll: el.scrollWidth, client: el.clientWidth, culprits: wide };
      });
      assert.ok(scroll <= client, `${page.url()} scrolls sideways: ${scroll}px wide in ${client}px (${culprits.join(", ")})`);
    },
  };

  before(async () => {
    const b = browserAvailable();
    if (!b.ok) {
      h.skip = b.reason;
      return;
    }
    if (process.env.PREAU_BASE_URL && o.clock && !o.clockOptional) {
      h.skip = `these tests expect the dates of a stack started at ${o.clock}, not those of PREAU_BASE_URL`;
      return;
    }
    h.stack = await startStack(o);
    try {
      h.browser = await launchBrowser();
    } catch (err) {
      await h.stack.stop();
      throw err;
    }
  }, { timeout: (o.timeoutMs ?? 240_000) + 30_000 });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await h.browser?.close().catch(() => {});
    await h.stack?.stop();
  }, { timeout: 60_000 });

  return h;
}

/** Skips the test (with the reason) when the browser is unavailable outside CI. */
export function skipWithoutBrowser(t, h) {
  if (h.skip) {
    t.skip(h.skip);
    return true;
  }
  return false;
}
