// The back-office and the portal together, in a real browser: a staff member signs in to the
// back-office (password, then the code of the demo's second factor, computed here as an
// authenticator app does), issues a new subscriber code to the Famille Benali; a new parent signs
// up with that code (the page's own proof of work), confirms the account from the mailbox, finds
// the family linked in Mon espace citoyen and books Yanis's canteen on Monday 7 December; staff
// then see Yanis in that day's headcount. A strike closes the canteen at another school that day:
// Yanis keeps his meal; closed at his school too, his meal is cancelled and his parent told by
// e-mail. Back-office pages pass the accessibility audit.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createHmac, randomBytes } from "node:crypto";
import { useStack, skipWithoutBrowser } from "./harness.mjs";

// Tuesday 1 December 2026, 9:00 in Paris: Monday 7 December's canteen closes on Thursday 3 at 10:00.
const stack = useStack({ clock: "2026-12-01T09:00:00+01:00", timeoutMs: 600_000 });

// infra/demo: the demo staff member and the published secret of their second factor.
const agent = { email: "agent@demo.preau.fr", password: "Gestion-Preau-2026", secret: "PREAUDEMOGESTIONLAIGNEVILLEDEMOA" };
const unique = `${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
const parent = { lastName: "Benali", firstName: "Samira", email: `samira.benali+${unique}@exemple.fr`, password: "Cantine-Preau-2027" };

/** Decodes RFC 4648 base32 (no padding), as TOTP secrets are written. */
function base32(s) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of s.replace(/=+$/, "").toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const out = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) out.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(out);
}

/** The RFC 6238 code (SHA-1, 6 digits, 30 s) of secret at the instant ms. */
function totp(secret, ms) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(ms / 1000 / 30)));
  const h = createHmac("sha1", base32(secret)).update(counter).digest();
  const o = h[h.length - 1] & 15;
  const n = (((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3]) % 1_000_000;
  return String(n).padStart(6, "0");
}

/** The local stack's clock now (LOCAL_CLOCK moved on), read from its /_local/ page. */
async function stackNow() {
  const res = await fetch(stack.url("/_local/"), { signal: AbortSignal.timeout(5_000) });
  const m = /Clock: (\S+)<\/p>/.exec(await res.text());
  assert.ok(m, "the /_local/ page states the clock");
  return Date.parse(m[1].replaceAll("&#43;", "+")) + 500;
}

/** Reads the mailbox: the mails sent to address. */
async function mailsTo(address) {
  const res = await fetch(stack.stack.mailbox.replace(/\/$/, "") + "/store", { signal: AbortSignal.timeout(5_000) });
  const { emails } = await res.json();
  return emails.filter((e) => (e.destination?.to ?? []).some((a) => a.toLowerCase().includes(address.toLowerCase())));
}

// A code is accepted once: a second sign-in waits for the next 30-second step.
let lastStep = 0;

async function staffSignIn(page, next) {
  await page.goto(stack.url("/gestion/connexion" + (next ? "?suivant=" + encodeURIComponent(next) : "")));
  await page.getByLabel("E-mail professionnel").fill(agent.email);
  await page.getByLabel("Mot de passe").fill(agent.password);
  await page.getByRole("button", { name: "Continuer" }).click();
  await page.waitForURL(/\/gestion\/second-facteur/);
  let now = await stackNow();
  if (Math.floor(now / 30_000) <= lastStep) {
    await new Promise((r) => setTimeout(r, (lastStep + 1) * 30_000 - now + 1_000));
    now = await stackNow();
  }
  lastStep = Math.floor(now / 30_000);
  await page.getByLabel("Code à 6 chiffres").fill(totp(agent.secret, now));
  await page.getByRole("button", { name: "Valider" }).click();
  await page.waitForURL(next ? new RegExp(next.replace(/[?]/g, "\\?") + "$") : /\/gestion\/accueil$/);
}

const journey = { code: null, booked: false };

test("staff issue a new subscriber code to a family", async (t) => {
  if (skipWithoutBrowser(t, stack)) return;
  const page = await stack.page();
  await staffSignIn(page);
  await stack.expectAccessible(page);
  await page.getByRole("navigation", { name: "Menu de la gestion" }).getByRole("link", { name: "Familles" }).click();
  await page.getByRole("link", { name: "Famille Benali" }).click();
  await page.waitForURL(/\/gestion\/familles\/[^/]+$/);
  await stack.expectAccessible(page);
  await page.getByRole("button", { name: "Révoquer et émettre un nouveau code" }).click();
  const flash = await page.locator(".flash").innerText();
  const m = /Nouveau code abonné : (\S+)\. L'ancien code/.exec(flash);
  assert.ok(m, `the new code is shown: ${flash}`);
  assert.notEqual(m[1], "BLENFANCE-12087-R8VN-3HTE", "a new code, not the old one");
  journey.code = m[1];

  // The staff page shows the demo member, second factor enrolled, just signed in; the journal has the login.
  await page.goto(stack.url("/gestion/personnel"));
  assert.match(await page.locator("main").innerText(), /agent@demo\.preau\.fr/);
  assert.match(await page.locator("main").innerText(), /enrôlé/);
  await stack.expectAccessible(page);
  await page.goto(stack.url("/gestion/journal?mois=2026-12"));
  const journal = await page.locator("main").innerText();
  assert.match(journal, /Connexion/);
  assert.match(journal, /Code abonné/);
});

test("a new parent signs up with the code, confirms from the mailbox, finds the family and books a day", async (t) => {
  if (skipWithoutBrowser(t, stack)) return;
  assert.ok(journey.code, "the test before issued a code");
  const page = await stack.page({ phone: true });
  await page.goto(stack.url("/creer-un-compte"));
  await page.getByRole("group", { name: /^Civilité/ }).getByLabel("Mme", { exact: true }).check();
  await page.getByLabel(/^Nom\b/).fill(parent.lastName);
  await page.getByLabel(/^Prénom\b/).fill(parent.firstName);
  await page.getByLabel(/^E-mail \(identifiant\)/).fill(parent.email);
  await page.getByLabel(/^Mot de passe\b/).fill(parent.password);
  await page.getByLabel(/^Confirmation du mot de passe/).fill(parent.password);
  await page.getByLabel(/^Code abonné/).fill(journey.code);
  await page.getByRole("checkbox", { name: /J'ai lu et j'accepte les Conditions d'utilisation/ }).check();
  await page.waitForFunction(() => document.querySelector("input[name=antiRobotSolution]")?.value !== "", null, { timeout: 60_000 });
  await page.getByRole("button", { name: "Valider" }).click();
  await page.waitForURL(/etape=verifiez/);

  let mails = [];
  for (const deadline = Date.now() + 10_000; mails.length === 0 && Date.now() < deadline;) {
    mails = await mailsTo(parent.email);
    if (mails.length === 0) await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(mails.length, 1, "one confirmation e-mail");
  const link = /https?:\/\/\S+\/confirm\?token=[A-Za-z0-9_%.~-]+/.exec(mails[0].body.text)?.[0];
  assert.ok(link, "the e-mail carries the confirmation link");
  await page.goto(link);
  await page.getByRole("button", { name: "Confirmer mon compte" }).click();
  assert.match(await page.locator("main").innerText(), /votre compte est activé/);

  await page.goto(stack.url("/?suivant=" + encodeURIComponent("/mon-espace")));
  await page.getByLabel("Email (identifiant)").fill(parent.email);
  await page.getByLabel("Mot de passe", { exact: true }).fill(parent.password);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.waitForURL(/\/mon-espace$/);
  const space = await page.locator("main").innerText();
  assert.match(space, /Famille Benali/, "the code linked the account to the family");
  assert.match(space, /Yanis Benali/);

  await page.goto(stack.url("/espace-famille/planning?mois=2026-12"));
  const book = "Réserver Restauration scolaire pour Yanis Benali le lundi 7 décembre";
  await page.getByRole("button", { name: book }).click();
  await page.waitForURL(/\/espace-famille\/planning\?mois=2026-12/);
  assert.match(await page.locator(".flash").innerText(), /Réservation enregistrée : Restauration scolaire pour Yanis le lundi 7 décembre/);
  journey.booked = true;
});

test("staff see the booking in the day's headcount", async (t) => {
  if (skipWithoutBrowser(t, stack)) return;
  assert.ok(journey.booked, "the parent booked in the test before");
  const page = await stack.page();
  await staffSignIn(page, "/gestion/effectifs?jour=2026-12-07");
  // The canteen at École Louise Michel counts Yanis, and lists him (the list opened as staff open it).
  const canteen = page.getByRole("region", { name: "Restauration scolaire — École Louise Michel" });
  const count = Number(/(\d+) enfants?\b/.exec(await canteen.innerText())?.[1]);
  assert.ok(count >= 1, `Louise Michel's canteen counts the booking: ${await canteen.innerText()}`);
  await canteen.getByText("Liste des enfants").click();
  const names = await canteen.getByRole("listitem").allInnerTexts();
  assert.equal(names.length, count, "the list has as many children as the count");
  assert.ok(names.some((n) => /^Benali Yanis\b/.test(n)), `Yanis is in the list: ${names.join(" | ")}`);
  await stack.expectAccessible(page);
});

/** Closes Monday 7 December's canteen at the sites named, from the calendar page. */
async function closeCanteen(page, sites) {
  await page.goto(stack.url("/gestion/calendrier"));
  await page.getByLabel("Jour fermé").fill("2026-12-07");
  await page.getByRole("radio", { name: "Grève" }).check();
  for (const box of await page.getByRole("group", { name: "Activités fermées" }).getByRole("checkbox").all()) {
    await box.setChecked((await box.getAttribute("value")) === "cantine");
  }
  const group = page.getByRole("group", { name: "Sites fermés" });
  for (const box of await group.getByRole("checkbox").all()) {
    const id = await box.getAttribute("id");
    const label = await group.locator(`label[for="${id}"]`).innerText();
    await box.setChecked(sites.includes(label));
  }
  await page.getByRole("button", { name: "Fermer ce jour" }).click();
  await page.waitForURL(/\/gestion\/calendrier$/);
  assert.match(await page.locator(".flash").innerText(), /Fermeture enregistrée/);
}

test("a strike at one school closes its canteen only; at Yanis's school, his meal is cancelled and his parent told", async (t) => {
  if (skipWithoutBrowser(t, stack)) return;
  assert.ok(journey.booked, "the parent booked in the test before");
  const page = await stack.page();
  await staffSignIn(page, "/gestion/calendrier");
  await stack.expectAccessible(page);

  await closeCanteen(page, ["École Jules Ferry"]);
  assert.match(await page.locator("main").innerText(), /Grève \(Restauration scolaire\) — École Jules Ferry/);
  await stack.expectAccessible(page);
  await page.goto(stack.url("/gestion/effectifs?jour=2026-12-07"));
  assert.match(await page.getByRole("region", { name: "Restauration scolaire — École Jules Ferry" }).innerText(), /Fermé/);
  const louiseMichel = page.getByRole("region", { name: "Restauration scolaire — École Louise Michel" });
  await louiseMichel.getByText("Liste des enfants").click();
  assert.ok((await louiseMichel.getByRole("listitem").allInnerTexts()).some((n) => /^Benali Yanis\b/.test(n)),
    "Yanis keeps his meal: his school is open");
  assert.equal((await mailsTo(parent.email)).filter((m) => /Fermeture/.test(m.subject)).length, 0, "no closure e-mail yet");

  await closeCanteen(page, ["École Jules Ferry", "École Louise Michel"]);
  assert.match(await page.locator("main").innerText(), /Grève \(Restauration scolaire\) — École Jules Ferry, École Louise Michel/);
  let notices = [];
  for (const deadline = Date.now() + 10_000; notices.length === 0 && Date.now() < deadline;) {
    notices = (await mailsTo(parent.email)).filter((m) => /Fermeture/.test(m.subject));
    if (notices.length === 0) await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(notices.length, 1, "one closure e-mail");
  assert.match(notices[0].body.text, /Yanis : Restauration scolaire \(École Louise Michel\)/);
  await page.goto(stack.url("/gestion/effectifs?jour=2026-12-07"));
  assert.match(await page.getByRole("region", { name: "Restauration scolaire — École Louise Michel" }).innerText(), /Fermé/);
});
