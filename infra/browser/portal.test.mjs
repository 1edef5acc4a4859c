// The public pages in a real browser: Accueil and Informations utiles read as the seed guide
// has it, pass an automated accessibility audit (axe-core, WCAG 2.1 A/AA) with zero violations,
// and fit a phone's screen.

import { test } from "node:test";
import assert from "node:assert/strict";
import { useStack, skipWithoutBrowser } from "./harness.mjs";

// 1 December 2026, 9:00 in Paris: the deadline of Monday 7 December (Thursday 3, 10:00) is ahead.
const stack = useStack({ clock: "2026-12-01T09:00:00+01:00", clockOptional: true });

const rule = "Toute demande de réservation ou d'annulation doit intervenir 2 jours ouvrés avant le jour concerné, avant 10h00.";
const weekday = "(lundi|mardi|mercredi|jeudi|vendredi)";
const deadlineSentence = new RegExp(`${weekday} \\d{1,2}(er)? \\S+ : réserver ou annuler avant le ${weekday} \\d{1,2}(er)? \\S+ à \\d{1,2}h\\d\\d`);

test("Accueil: the login form of the seed guide and the cutoff warning", async (t) => {
  if (skipWithoutBrowser(t, stack)) return;
  const page = await stack.page();
  const res = await page.goto(stack.url("/"));
  assert.equal(res.status(), 200);
  assert.match(await page.title(), /^Accueil – Portail famille de /);
  const csp = res.headers()["content-security-policy"];
  assert.ok(csp && !csp.includes("unsafe-inline") && csp.includes("frame-ancestors 'none'"), `CSP: ${csp}`);

  await assert.doesNotReject(page.getByRole("heading", { name: "Connectez-vous au Portail" }).waitFor());
  const email = page.getByLabel("Email (identifiant)");
  const password = page.getByLabel("Mot de passe", { exact: true });
  assert.equal(await email.getAttribute("type"), "email");
  assert.equal(await password.getAttribute("type"), "password");
  assert.equal(await page.getByRole("button", { name: "Se connecter" }).count(), 1);
  const form = page.locator("form", { has: email });
  assert.equal(await form.getAttribute("action"), "/connexion");
  assert.equal(await form.getAttribute("method"), "post");
  assert.equal(await page.getByRole("link", { name: "Créer un compte" }).getAttribute("href"), "/creer-un-compte");
  assert.equal(await page.getByRole("link", { name: "Mot de passe oublié ?" }).getAttribute("href"), "/mot-de-passe-oublie");

  const warning = page.locator(".warning");
  assert.match(await warning.innerText(), /Les repas doivent être réservés sur le portail/i);
  assert.ok((await warning.innerText()).includes(rule), "the cutoff rule is shown");
  assert.match(await warning.innerText(), /longue durée/);

  await stack.expectAccessible(page);
});

test("Accueil: the keyboard reaches the skip link first, and it leads to the content", async (t) => {
  if (skipWithoutBrowser(t, stack)) return;
  const page = await stack.page();
  await page.goto(stack.url("/"));
  await page.keyboard.press("Tab");
  const focused = page.locator(":focus");
  assert.equal(await focused.innerText(), "Aller au contenu");
  assert.ok(await focused.isVisible(), "the skip link shows when focused");
  await page.keyboard.press("Enter");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "contenu");
});

test("Accueil: a local suivant is carried through the login form, another site's is not", async (t) => {
  if (skipWithoutBrowser(t, stack)) return;
  const page = await stack.page();
  await page.goto(stack.url("/?suivant=%2Fespace-famille%2Fplanning"));
  assert.equal(await page.locator('input[name="suivant"]').getAttribute("value"), "/espace-famille/planning");
  await page.goto(stack.url("/?suivant=https%3A%2F%2Fevil.example%2F"));
  assert.equal(await page.locator('input[name="suivant"]').count(), 0);
});

test("Informations utiles: each day with its deadline as a parent reads it", async (t) => {
  if (skipWithoutBrowser(t, stack)) return;
  const page = await stack.page();
  const res = await page.goto(stack.url("/informations-utiles"));
  assert.equal(res.status(), 200);
  await assert.doesNotReject(page.getByRole("heading", { level: 1, name: "Informations utiles" }).waitFor());
  const text = await page.locator("main").innerText();
  assert.ok(text.includes(rule), "the rule is explained");
  assert.match(text, deadlineSentence);
  if (!stack.stack.external) {
    // The stack's clock starts on Tuesday 1 December 2026.
    assert.ok(text.includes("lundi 7 décembre : réserver ou annuler avant le jeudi 3 décembre à 10h00"), text);
    assert.ok(text.includes("vendredi 25 décembre : aucun accueil, jour férié (Noël)"), "Christmas is closed, with why");
    assert.match(text, /Vacances de Noël : du samedi 19 décembre 2026 au dimanche 3 janvier 2027/);
  }
  assert.match(text, /Vacances scolaires \(zone B\)/i);
  await stack.expectAccessible(page);
});

for (const path of ["/", "/informations-utiles", "/conditions-utilisation", "/nous-contacter",
  "/politique-de-confidentialite", "/mentions-legales", "/accessibilite"]) {
  test(`on a phone (375×667), ${path} fits the screen and passes the audit`, async (t) => {
    if (skipWithoutBrowser(t, stack)) return;
    const page = await stack.page({ phone: true });
    const res = await page.goto(stack.url(path));
    assert.equal(res.status(), 200);
    await stack.expectNoHorizontalScroll(page);
    await stack.expectAccessible(page);
  });
}

test("the legal pages: reached from every page's footer, with the commune's details, and accessible", async (t) => {
  if (skipWithoutBrowser(t, stack)) return;
  const page = await stack.page();
  for (const [link, title, expected] of [
    ["Politique de confidentialité", "Politique de confidentialité", [/Responsable du traitement/, /Mairie de Laigneville/i,
      /dpo@laigneville\.fr/, /Sans connexion pendant 3 ans/, /30 jours/, /10 ans/, /180 jours/, /CNIL/, /3 place de Fontenoy/]],
    ["Mentions légales", "Mentions légales", [/Directeur de la publication/, /Le maire de Laigneville/, /SIRET/,
      /Amazon Web Services EMEA SARL/]],
    ["Déclaration d'accessibilité", "Déclaration d'accessibilité", [/non conforme/, /RGAA/, /axe-core/, /Pages vérifiées/,
      /Défenseur des droits/]],
  ]) {
    await page.goto(stack.url("/nous-contacter"));
    const href = await page.locator("footer.site a", { hasText: link }).getAttribute("href");
    assert.ok(href, `the footer links ${link}`);
    const res = await page.goto(stack.url(href));
    assert.equal(res.status(), 200);
    assert.equal(await page.locator("h1").innerText(), title);
    const text = await page.locator("main").innerText();
    for (const re of expected) assert.match(text, re, `${title}: ${re}`);
    await stack.expectAccessible(page);
  }
});

test("on a phone, the menu folds behind a button that opens it", async (t) => {
  if (skipWithoutBrowser(t, stack)) return;
  const page = await stack.page({ phone: true });
  await page.goto(stack.url("/"));
  const toggle = page.getByRole("button", { name: "Menu" });
  const link = page.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Informations utiles" });
  assert.equal(await toggle.getAttribute("aria-expanded"), "false");
  assert.equal(await link.isVisible(), false, "the menu starts folded");
  await toggle.click();
  assert.equal(await toggle.getAttribute("aria-expanded"), "true");
  assert.ok(await link.isVisible(), "the menu opens");
  await stack.expectAccessible(page);
  await link.click();
  await page.waitForURL(/\/informations-utiles$/);
});

test("without JavaScript the pages still work: the menu is open and the form posts", async (t) => {
  if (skipWithoutBrowser(t, stack)) return;
  const page = await stack.page({ phone: true, javaScriptEnabled: false });
  await page.goto(stack.url("/"));
  assert.ok(await page.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Informations utiles" }).isVisible());
  assert.equal(await page.getByRole("button", { name: "Menu" }).count(), 0);
  assert.equal(await page.getByRole("button", { name: "Se connecter" }).count(), 1);
  await stack.expectNoHorizontalScroll(page);
});
