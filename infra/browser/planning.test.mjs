// The planning in a real browser, on a phone: the demo parent logs in, books Léa's canteen for a
// week from the planning page with plain form posts, cancels one day, and sees it all in the
// history. The page passes an automated accessibility audit and does not scroll sideways.

import { test } from "node:test";
import assert from "node:assert/strict";
import { useStack, skipWithoutBrowser } from "./harness.mjs";

// Tuesday 1 December 2026, 9:00 in Paris: the week of Monday 7 December is still open (its
// first deadline is Thursday 3 December at 10:00).
const stack = useStack({ clock: "2026-12-01T09:00:00+01:00" });

const parent = { email: "parent@demo.preau.fr", password: "Demo-Preau-2026" };
const week = ["lundi 7 décembre", "mardi 8 décembre", "jeudi 10 décembre", "vendredi 11 décembre"];
const cell = (verb, day) => `${verb} Restauration scolaire pour Léa Martin le ${day}`;

async function login(page, next) {
  await page.goto(stack.url("/?suivant=" + encodeURIComponent(next)));
  await page.getByLabel("Email (identifiant)").fill(parent.email);
  await page.getByLabel("Mot de passe", { exact: true }).fill(parent.password);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.waitForURL(/\/espace-famille\/planning/);
}

test("Planning: book a week of canteen and cancel a day", async (t) => {
  if (skipWithoutBrowser(t, stack)) return;
  const page = await stack.page({ phone: true });
  await login(page, "/espace-famille/planning?mois=2026-12");

  await assert.doesNotReject(page.getByRole("heading", { name: "Planning des activités", level: 1 }).waitFor());
  await assert.doesNotReject(page.getByRole("heading", { name: "décembre 2026", exact: true }).waitFor());
  assert.match(await page.locator(".warning").innerText(), /2 jours ouvrés avant le jour concerné, avant 10h00/);
  assert.equal(await page.getByRole("link", { name: "Faire une demande sur une longue période" }).getAttribute("href"), "/espace-famille/longue-periode");
  await stack.expectAccessible(page);
  await stack.expectNoHorizontalScroll(page);
  // A phone lists only what happens: no "closed on Wednesdays" line for the canteen each week,
  // and the Christmas holidays in one line a week.
  const main = await page.locator("main").innerText();
  assert.doesNotMatch(main, /pas d'école le mercredi/);
  assert.match(main, /Vacances de Noël : pas de restauration scolaire/);

  for (const day of week) {
    await page.getByRole("button", { name: cell("Réserver", day) }).click();
    await page.waitForURL(/\/espace-famille\/planning\?mois=2026-12/);
    assert.match(await page.locator(".flash").innerText(), new RegExp(`Réservation enregistrée : Restauration scolaire pour Léa le ${day}`));
  }
  for (const day of week) {
    assert.equal(await page.getByRole("button", { name: cell("Annuler", day) }).count(), 1, `${day} is booked`);
  }

  await page.getByRole("button", { name: cell("Annuler", "mardi 8 décembre") }).click();
  await page.waitForURL(/\/espace-famille\/planning\?mois=2026-12/);
  assert.match(await page.locator(".flash").innerText(), /Annulation enregistrée/);
  assert.equal(await page.getByRole("button", { name: cell("Réserver", "mardi 8 décembre") }).count(), 1, "Tuesday is free again");
  assert.equal(await page.getByRole("button", { name: cell("Annuler", "lundi 7 décembre") }).count(), 1, "Monday stays booked");

  const history = page.locator("table", { has: page.locator("caption", { hasText: "Réservations et annulations" }) });
  assert.equal(await history.locator("tbody tr").count(), 5, "four bookings and one cancellation in the history");
  assert.match(await history.innerText(), /annulation – Restauration scolaire/);
  await stack.expectAccessible(page);
  await stack.expectNoHorizontalScroll(page);
});

test("Planning: days past their deadline offer no button", async (t) => {
  if (skipWithoutBrowser(t, stack)) return;
  const page = await stack.page();
  await login(page, "/espace-famille/planning?mois=2026-12");
  // Thursday 3 December's deadline was Tuesday 1 December at 10:00… still ahead at 9:00; Wednesday
  // 2 December's canteen is closed; Tuesday 1 December's deadline has passed.
  assert.equal(await page.getByRole("button", { name: cell("Réserver", "mardi 1er décembre") }).count(), 0);
  // On a wide screen each week is a grid: activities in rows, days in columns.
  const grid = page.getByRole("table", { name: "Léa Martin – semaine du lundi 30 novembre" });
  const canteen = grid.getByRole("row", { name: /^Restauration scolaire/ });
  assert.match(await canteen.getByRole("cell").first().innerText(), /délai dépassé/);
  assert.equal(await grid.getByRole("button", { name: cell("Réserver", "jeudi 3 décembre") }).count(), 1);
  await stack.expectAccessible(page);
  await stack.expectNoHorizontalScroll(page);
});

test("Long period: preview, then confirm, a month of canteen for Hugo", async (t) => {
  if (skipWithoutBrowser(t, stack)) return;
  const page = await stack.page({ phone: true });
  await login(page, "/espace-famille/planning?mois=2026-12");
  await page.getByRole("link", { name: "Faire une demande sur une longue période" }).click();
  await page.waitForURL(/\/espace-famille\/longue-periode/);
  await stack.expectAccessible(page);
  await stack.expectNoHorizontalScroll(page);

  await page.getByLabel("Léa Martin", { exact: true }).uncheck();
  await page.getByLabel("Hugo Martin", { exact: true }).check();
  await page.getByLabel("Restauration scolaire", { exact: true }).check();
  await page.getByLabel("Du", { exact: true }).fill("2026-12-14");
  await page.getByLabel("Au (inclus)", { exact: true }).fill("2027-01-08");
  await page.getByRole("button", { name: "Voir le détail avant de confirmer" }).click();

  await assert.doesNotReject(page.getByRole("heading", { name: "Vérifiez votre demande", level: 1 }).waitFor());
  // Mon 14, Tue 15, Thu 17, Fri 18 December and Mon 4, Tue 5, Thu 7, Fri 8 January; the
  // Christmas holidays in between are listed as skipped.
  assert.match(await page.locator("main").innerText(), /Jours qui seront traités : 8/);
  assert.match(await page.locator("main").innerText(), /Vacances de Noël/);
  await stack.expectAccessible(page);
  await stack.expectNoHorizontalScroll(page);

  await page.getByRole("button", { name: "Confirmer la réservation de 8 jours" }).click();
  await assert.doesNotReject(page.getByRole("heading", { name: "Demande enregistrée", level: 1 }).waitFor());
  assert.match(await page.locator("main").innerText(), /Jours enregistrés : 8/);

  await page.goto(stack.url("/espace-famille/planning?mois=2027-01"));
  assert.equal(await page.getByRole("button", { name: "Annuler Restauration scolaire pour Hugo Martin le lundi 4 janvier" }).count(), 1);
});
