// A parent's account in a real browser: "Créer un compte" from Accueil (first with mistakes the
// page explains, then right, the anti-robot proof of work solved by the page's own script), the
// confirmation e-mail read from the SES emulator's mailbox, its link opened (twice), login from
// the Accueil form, a family linked with a subscriber code in "Mon espace citoyen", logout, and a
// wrong password refused. Every page on the way passes the accessibility audit; the sign-up page
// fits a phone.
//
// The tests run in order and share one new account: each one needs what the one before made.

import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { useStack, skipWithoutBrowser } from "./harness.mjs";

// The local clock starts months before the real one on purpose: a session's cookie must last
// 12 hours of the portal's clock whatever the machine's date (a local run may replay any day).
const stack = useStack({ clock: "2026-09-01T08:00:00+02:00", clockOptional: true });

// A fresh address per run, so the tests also pass against an already running stack.
const unique = `${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
const parent = {
  civility: "Mme",
  lastName: "Lambert",
  firstName: "Sophie",
  email: `sophie.lambert+${unique}@exemple.fr`,
  password: "Cantine-Preau-2027",
};
// A demo family no account is linked to (infra/demo: Famille Benali, one child).
const freeFamily = { name: "Famille Benali", code: "BLENFANCE-12087-R8VN-3HTE", children: ["Yanis Benali"] };

const passwordRule = "Le mot de passe doit contenir au moins 8 caractères, dont au moins 1 chiffre, 1 minuscule et 1 majuscule.";

// What the journey learns on the way (the later tests need it).
const journey = { commune: null, signedUp: false, confirmed: false };

/** The commune's name, as every page's title has it ("… – Portail famille de <commune>"). */
async function communeOf(page) {
  const m = /Portail famille de (.+)$/.exec(await page.title());
  assert.ok(m, `the title names the commune: ${await page.title()}`);
  return m[1];
}

/** The sign-up form's fields, found by their visible labels. */
function signupForm(page) {
  return {
    civility: (c) => page.getByRole("group", { name: /^Civilité/ }).getByLabel(c, { exact: true }),
    lastName: page.getByLabel(/^Nom\b/),
    firstName: page.getByLabel(/^Prénom\b/),
    email: page.getByLabel(/^E-mail \(identifiant\)/),
    password: page.getByLabel(/^Mot de passe\b/),
    confirmation: page.getByLabel(/^Confirmation du mot de passe/),
    terms: page.getByRole("checkbox", { name: /J'ai lu et j'accepte les Conditions d'utilisation/ }),
    solution: page.locator("input[name=antiRobotSolution]"),
    powStatus: page.locator("[data-pow-status]"),
    question: page.locator("[data-pow-question]"),
    submit: page.getByRole("button", { name: "Valider" }),
  };
}

/**
 * Notes, in the page, when pow.js starts and ends its work (it says so in its status line), so
 * the test can report how long the proof of work takes a browser. Install before goto().
 */
function timeProofOfWork(page) {
  return page.addInitScript(() => {
    new MutationObserver(() => {
      const status = document.querySelector("[data-pow-status]")?.textContent ?? "";
      if (/en cours/.test(status) && !globalThis.powStartedAt) globalThis.powStartedAt = performance.now();
      if (/terminée/.test(status) && !globalThis.powSolvedAt) globalThis.powSolvedAt = performance.now();
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
}

/**
 * Waits until pow.js has solved the page's proof of work (the parent sees it said, and the
 * question for people without JavaScript is hidden); returns how long the work took, in ms.
 */
async function waitForProofOfWork(page) {
  const f = signupForm(page);
  await page.waitForFunction(() => document.querySelector("input[name=antiRobotSolution]")?.value !== "", null, { timeout: 60_000 });
  assert.match(await f.solution.inputValue(), /^\d+$/, "the proof is a decimal number");
  assert.equal(await f.powStatus.innerText(), "Vérification anti-robot terminée : vous pouvez valider le formulaire.");
  assert.equal(await f.question.isHidden(), true, "with JavaScript, the question is not asked");
  const took = await page.evaluate(() => globalThis.powSolvedAt - globalThis.powStartedAt);
  return Number.isFinite(took) ? Math.round(took) : "?";
}

/** Reads the SES emulator's mailbox: the mails sent to address, oldest first. */
async function mailsTo(address) {
  const mailbox = stack.stack.mailbox;
  assert.ok(mailbox, "the mailbox URL is known (with PREAU_BASE_URL, set PREAU_MAILBOX_URL too)");
  const res = await fetch(mailbox.replace(/\/$/, "") + "/store", { signal: AbortSignal.timeout(5_000) });
  assert.equal(res.status, 200, "GET /store answers");
  const { emails } = await res.json();
  const bare = (a) => (/<([^>]*)>\s*$/.exec(a)?.[1] ?? a).trim().toLowerCase();
  return emails.filter((e) => [...(e.destination?.to ?? []), ...(e.destination?.cc ?? []), ...(e.destination?.bcc ?? [])]
    .some((a) => bare(a) === address.toLowerCase()));
}

/** Polls the mailbox until a mail to address arrives, and returns all of them. */
async function waitForMails(address, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mails = await mailsTo(address);
    if (mails.length > 0 || Date.now() > deadline) return mails;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The portal's session cookie in the page's browser context, if any. */
async function sessionCookie(page) {
  return (await page.context().cookies()).find((c) => /preau_session$/.test(c.name));
}

/** Fills the Accueil login form and sends it. */
async function loginFromHome(page, email, password) {
  await page.goto(stack.url("/"));
  await page.getByLabel("Email (identifiant)").fill(email);
  await page.getByLabel("Mot de passe", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.waitForLoadState("load");
}

test("Créer un compte: mistakes explained in French, then the account created with the real anti-robot proof", async (t) => {
  if (skipWithoutBrowser(t, stack)) return;
  const page = await stack.page();
  await timeProofOfWork(page);
  await page.goto(stack.url("/"));
  journey.commune = await communeOf(page);
  const [opened] = await Promise.all([
    page.waitForResponse((r) => r.url() === stack.url("/creer-un-compte")),
    page.getByRole("link", { name: "Créer un compte" }).click(),
  ]);
  assert.equal(opened.status(), 200, "the Signup function serves its page (503: it did not build; PREAU_STACK_LOG=1 shows why)");
  await page.waitForURL(/\/creer-un-compte$/);
  await assert.doesNotReject(page.getByRole("heading", { level: 1, name: "Créer un compte" }).waitFor());
  const f = signupForm(page);
  assert.equal(await f.civility("M").count(), 1);
  assert.equal(await f.civility("Mme").count(), 1);
  assert.equal(await page.locator("#password-hint").innerText(), passwordRule);
  assert.equal(await page.getByRole("link", { name: "Conditions d'utilisation" }).first().getAttribute("href"), "/conditions-utilisation");
  t.diagnostic(`proof of work: ${await waitForProofOfWork(page)} ms (empty page)`);
  await stack.expectAccessible(page);

  // First try: a weak password and a confirmation that differs.
  await f.civility(parent.civility).check();
  await f.lastName.fill(parent.lastName);
  await f.firstName.fill(parent.firstName);
  await f.email.fill(parent.email);
  await f.password.fill("soleil");
  await f.confirmation.fill("soleil2");
  await f.terms.check();
  const [refused] = await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), f.submit.click()]);
  assert.equal(refused.status(), 400);
  await page.waitForLoadState("load");

  const summary = page.locator(".error-summary");
  assert.equal(await summary.getAttribute("role"), "alert");
  assert.equal(await summary.getByRole("heading").innerText(), "Le formulaire contient 2 erreurs");
  const items = summary.getByRole("link");
  assert.deepEqual(await items.evaluateAll((as) => as.map((a) => a.getAttribute("href"))), ["#password", "#passwordConfirmation"]);
  const pwError = await page.locator("#password-error").innerText();
  const confError = await page.locator("#passwordConfirmation-error").innerText();
  assert.equal(pwError, passwordRule, "a weak password is refused with the rule it breaks");
  assert.equal(confError, "Les deux mots de passe ne sont pas identiques.");
  assert.deepEqual(await items.allInnerTexts(), [pwError, confError], "the summary repeats each field's message");
  assert.equal(await f.password.getAttribute("aria-invalid"), "true");
  assert.equal(await f.confirmation.getAttribute("aria-invalid"), "true");
  assert.equal(await f.password.getAttribute("aria-describedby"), "password-hint password-error");
  assert.equal(await f.confirmation.getAttribute("aria-describedby"), "passwordConfirmation-error");
  for (const ok of [f.lastName, f.firstName, f.email]) assert.equal(await ok.getAttribute("aria-invalid"), null);
  assert.equal(await page.evaluate(() => document.activeElement?.classList.contains("error-summary")), true, "the summary has the focus");
  // What the parent typed is kept, except the passwords.
  assert.equal(await f.lastName.inputValue(), parent.lastName);
  assert.equal(await f.firstName.inputValue(), parent.firstName);
  assert.equal(await f.email.inputValue(), parent.email);
  assert.equal(await f.civility(parent.civility).isChecked(), true);
  assert.equal(await f.terms.isChecked(), true);
  assert.equal(await f.password.inputValue(), "");
  assert.equal(await f.confirmation.inputValue(), "");
  // The summary's links lead to the fields.
  await items.first().click();
  assert.equal(await page.evaluate(() => document.activeElement?.id), "password");
  t.diagnostic(`proof of work: ${await waitForProofOfWork(page)} ms (page with errors)`);
  await stack.expectAccessible(page);

  // Second try: right. The page's script has solved a fresh proof of work.
  await f.password.fill(parent.password);
  await f.confirmation.fill(parent.password);
  const [sent] = await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), f.submit.click()]);
  assert.equal(sent.status(), 303, "the sign-up is accepted");
  await page.waitForURL(/\/creer-un-compte\?etape=verifiez$/);
  await assert.doesNotReject(page.getByRole("heading", { level: 1, name: "Vérifiez votre messagerie" }).waitFor());
  assert.match(await page.locator("main").innerText(), /un e-mail vient de vous être envoyé\. Ouvrez le lien qu'il contient pour activer votre compte/);
  await stack.expectAccessible(page);
  journey.signedUp = true;
});

test("the confirmation e-mail: in French, from the commune, with an absolute link whose page activates the account once", async (t) => {
  if (skipWithoutBrowser(t, stack)) return;
  assert.ok(journey.signedUp, "the account was created by the test before");
  const mails = await waitForMails(parent.email);
  assert.equal(mails.length, 1, "one e-mail to the new address");
  const [mail] = mails;
  assert.equal(mail.subject, `Confirmez votre compte du portail famille de ${journey.commune}`);
  for (const body of [mail.body.text, mail.body.html]) {
    assert.ok(body.includes(`Bonjour ${parent.civility} ${parent.lastName},`), "the parent is greeted by civility and name");
    assert.ok(body.includes(`portail famille de ${journey.commune}`), "the commune is named");
    assert.ok(body.includes(`La mairie de ${journey.commune}`), "signed by the town hall");
    assert.match(body, /valable 48 heures/);
  }
  const links = [...mail.body.text.matchAll(/https?:\/\/\S+\/confirm\?token=[A-Za-z0-9_%.~-]+/g)].map((m) => m[0]);
  assert.equal(links.length, 1, `one confirmation link in the text:\n${mail.body.text}`);
  const link = links[0];
  assert.ok(link.startsWith(stack.stack.baseURL + "/confirm?token="), `the link is absolute, on the portal: ${link}`);
  assert.ok(mail.body.html.includes(`href="${link}"`), "the HTML part has the same link");

  const page = await stack.page();
  const first = await page.goto(link);
  assert.equal(first.status(), 200);
  // Opening the link confirms nothing (mail scanners open links): the parent presses the button.
  await assert.doesNotReject(page.getByRole("heading", { level: 1, name: "Activer mon compte" }).waitFor());
  await stack.expectAccessible(page);
  await page.getByRole("button", { name: "Confirmer mon compte" }).click();
  await assert.doesNotReject(page.getByRole("heading", { level: 1, name: "Compte activé" }).waitFor());
  assert.match(await page.locator("main").innerText(), /votre adresse e-mail est confirmée et votre compte est activé/);
  assert.equal(await page.getByRole("link", { name: "Me connecter" }).getAttribute("href"), "/connexion");
  await stack.expectAccessible(page);
  journey.confirmed = true;

  const again = await page.goto(link);
  assert.equal(again.status(), 200, "a second click is not an error");
  await assert.doesNotReject(page.getByRole("heading", { level: 1, name: "Compte déjà activé" }).waitFor());
  assert.match(await page.locator("main").innerText(), /Votre compte est déjà activé : ce lien a déjà servi\. Vous pouvez vous connecter/);
  await stack.expectAccessible(page);
});

test("log in from Accueil, link a free family in Mon espace citoyen, see its children, log out", async (t) => {
  if (skipWithoutBrowser(t, stack)) return;
  assert.ok(journey.confirmed, "the account was confirmed by the test before");
  const page = await stack.page();
  await loginFromHome(page, parent.email, parent.password);
  await page.waitForURL(/\/mon-espace$/);
  const header = page.locator("header.site");
  assert.equal(await header.locator("form.logout span").innerText(), `${parent.firstName} ${parent.lastName}`);
  assert.equal(await header.getByRole("button", { name: "Se déconnecter" }).count(), 1);
  const cookie = await sessionCookie(page);
  assert.ok(cookie, "a session cookie is set");
  assert.equal(cookie.httpOnly, true, "scripts cannot read the session cookie");
  assert.equal(cookie.sameSite, "Lax");

  await page.goto(stack.url("/"));
  const nav = page.getByRole("navigation", { name: "Menu principal" });
  await nav.getByRole("link", { name: "Mon espace citoyen" }).click();
  await page.waitForURL(/\/mon-espace$/);
  await assert.doesNotReject(page.getByRole("heading", { level: 1, name: "Mon espace citoyen" }).waitFor());
  assert.equal(await nav.getByRole("link", { name: "Mon espace citoyen" }).getAttribute("aria-current"), "page");
  const family = page.getByRole("region", { name: "Ma famille" });
  assert.match(await family.innerText(), /Votre compte n'est pas encore relié à votre famille/);
  const profile = page.getByRole("region", { name: "Mon profil" });
  assert.match(await profile.innerText(), new RegExp(`Identifiant : ${parent.email.replace(/[.+]/g, "\\$&")}`));
  assert.equal(await profile.getByLabel(parent.civility, { exact: true }).isChecked(), true);
  assert.equal(await profile.getByLabel("Nom", { exact: true }).inputValue(), parent.lastName);
  assert.equal(await profile.getByLabel("Prénom", { exact: true }).inputValue(), parent.firstName);
  await stack.expectAccessible(page);

  // The code as a parent might type it: lower case, with spaces around.
  await family.getByLabel("Code abonné").fill(`  ${freeFamily.code.toLowerCase()} `);
  await family.getByRole("button", { name: "Relier ma famille" }).click();
  await page.waitForURL(/\/mon-espace$/);
  assert.equal(await page.locator(".flash").innerText(), "Votre compte est relié à votre famille.");
  const linked = page.getByRole("region", { name: "Ma famille" });
  // The code is masked once linked: it is a secret that links anyone to the family.
  const masked = freeFamily.code.slice(0, -9) + "****-**" + freeFamily.code.slice(-2);
  const linkedText = await linked.innerText();
  assert.ok(linkedText.includes(`relié au dossier ${freeFamily.name} (code abonné ${masked}`), linkedText);
  assert.ok(!linkedText.includes(freeFamily.code), linkedText);
  await assert.doesNotReject(linked.getByRole("heading", { name: "Enfants" }).waitFor());
  const children = await linked.getByRole("list").first().getByRole("listitem").allInnerTexts();
  assert.equal(children.length, freeFamily.children.length, children.join(" | "));
  freeFamily.children.forEach((name, i) => assert.ok(children[i].startsWith(name), `${children[i]} is ${name}`));
  assert.match(children[0], /né\(e\) le mercredi 23 novembre 2016$/);
  assert.equal(await linked.getByRole("link", { name: "Voir le planning des activités" }).getAttribute("href"), "/espace-famille/planning");
  // The family's members are listed; the parent is marked as themselves.
  await assert.doesNotReject(linked.getByRole("heading", { name: "Parents reliés au dossier" }).waitFor());
  assert.match(await linked.locator(".members").innerText(), new RegExp(`${parent.lastName}.*— vous`));
  await stack.expectAccessible(page);

  await header.getByRole("button", { name: "Se déconnecter" }).click();
  await page.waitForURL(stack.url("/"));
  assert.equal(await page.locator(".flash").innerText(), "Vous êtes déconnecté. À bientôt !");
  assert.equal(await header.getByRole("button", { name: "Se déconnecter" }).count(), 0);
  assert.equal(await header.getByText(`${parent.firstName} ${parent.lastName}`).count(), 0);
  assert.equal(await sessionCookie(page), undefined, "the session cookie is gone");
  await page.goto(stack.url("/mon-espace"));
  await page.waitForURL(/\/\?suivant=%2Fmon-espace$/);
  assert.equal(await page.getByRole("button", { name: "Se connecter" }).count(), 1, "Mon espace citoyen asks to log in again");
});

test("a wrong password: a clear French error, and the parent stays logged out", async (t) => {
  if (skipWithoutBrowser(t, stack)) return;
  assert.ok(journey.confirmed, "the account was confirmed by the test before");
  const page = await stack.page();
  const [refused] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith("/connexion")),
    loginFromHome(page, parent.email, "Cantine-Preau-2028"),
  ]);
  assert.equal(refused.status(), 401);
  await assert.doesNotReject(page.getByRole("heading", { level: 1, name: "Connectez-vous au Portail" }).waitFor());
  const alert = page.getByRole("alert");
  assert.equal(await alert.innerText(), "L'adresse e-mail ou le mot de passe est incorrect.");
  assert.equal(await page.getByLabel("Email (identifiant)").inputValue(), parent.email, "the address is kept");
  assert.equal(await page.getByLabel("Mot de passe", { exact: true }).inputValue(), "", "the password is not");
  assert.equal(await page.getByLabel("Mot de passe", { exact: true }).getAttribute("aria-invalid"), "true");
  assert.equal(await page.getByRole("button", { name: "Se déconnecter" }).count(), 0);
  assert.equal(await sessionCookie(page), undefined, "no session cookie");
  await stack.expectAccessible(page);
  await page.goto(stack.url("/mon-espace"));
  await page.waitForURL(/\/\?suivant=%2Fmon-espace$/);
});

test("without JavaScript, Créer un compte asks a question in French instead of the proof of work", async (t) => {
  if (skipWithoutBrowser(t, stack)) return;
  const page = await stack.page({ javaScriptEnabled: false });
  await page.goto(stack.url("/creer-un-compte"));
  const words = ["zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix"];
  const question = page.getByRole("group", { name: /Je ne suis pas un robot/ }).getByRole("textbox");
  assert.ok(await question.isVisible(), "the question is shown");
  const label = await page.locator("label[for=antiRobotAnswer]").innerText();
  const m = /^Combien font (\S+) plus (\S+) \? \(répondez en chiffres\)$/.exec(label);
  assert.ok(m && words.includes(m[1]) && words.includes(m[2]), `a sum spelled out in French: ${label}`);

  const email = `noscript+${unique}@exemple.fr`;
  const f = signupForm(page);
  await f.civility("M").check();
  await f.lastName.fill("Moreau");
  await f.firstName.fill("Karim");
  await f.email.fill(email);
  await f.password.fill(parent.password);
  await f.confirmation.fill(parent.password);
  await f.terms.check();
  // A wrong answer first: refused with its own message, on the question's field.
  await question.fill(String(words.indexOf(m[1]) + words.indexOf(m[2]) + 1));
  await f.submit.click();
  await page.waitForLoadState("load");
  assert.match(await page.locator("#antiRobot-error").innerText(), /^La réponse à la question de vérification est incorrecte/);
  assert.equal(await question.getAttribute("aria-invalid"), "true");
  // A fresh question comes with the page: answer it right.
  const again = /^Combien font (\S+) plus (\S+) \?/.exec(await page.locator("label[for=antiRobotAnswer]").innerText());
  await f.password.fill(parent.password);
  await f.confirmation.fill(parent.password);
  await question.fill(String(words.indexOf(again[1]) + words.indexOf(again[2])));
  await f.submit.click();
  await page.waitForURL(/\/creer-un-compte\?etape=verifiez$/);
  await assert.doesNotReject(page.getByRole("heading", { level: 1, name: "Vérifiez votre messagerie" }).waitFor());
  const mails = await waitForMails(email);
  assert.equal(mails.length, 1, "the confirmation e-mail is sent");
  assert.match(mails[0].subject, /^Confirmez votre compte/);
});

test("on a phone (375×667), Créer un compte fits the screen, empty and with every error shown", async (t) => {
  if (skipWithoutBrowser(t, stack)) return;
  const page = await stack.page({ phone: true });
  await timeProofOfWork(page);
  const res = await page.goto(stack.url("/creer-un-compte"));
  assert.equal(res.status(), 200);
  t.diagnostic(`proof of work: ${await waitForProofOfWork(page)} ms (phone)`);
  await stack.expectNoHorizontalScroll(page);
  await stack.expectAccessible(page);

  // Sent empty: one message per field, all of them on a narrow screen.
  const [refused] = await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), signupForm(page).submit.click()]);
  assert.equal(refused.status(), 400);
  await page.waitForLoadState("load");
  assert.match(await page.locator(".error-summary h2").innerText(), /^Le formulaire contient \d+ erreurs$/);
  const fields = await page.locator(".error-summary a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  for (const id of ["#civility", "#lastName", "#firstName", "#email", "#password", "#passwordConfirmation", "#acceptTerms"]) {
    assert.ok(fields.includes(id), `${id} is in the summary (${fields.join(", ")})`);
  }
  t.diagnostic(`proof of work: ${await waitForProofOfWork(page)} ms (phone, page with errors)`);
  await stack.expectNoHorizontalScroll(page);
  await stack.expectAccessible(page);
});
