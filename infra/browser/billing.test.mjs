// Espace facturation in a real browser: the demo parent opens last month's invoice, pays it
// with "Payer en ligne" on the local PayFiP stand-in's page, comes back to the invoice that now
// says "payée" (the webhook applied PayFiP's notification, or the return page fetched the
// result), and finds the receipt in the mailbox. The pages pass an accessibility audit.

import { test } from "node:test";
import assert from "node:assert/strict";
import { useStack, skipWithoutBrowser } from "./harness.mjs";

// Tuesday 1 December 2026, 9:00 in Paris: the demo loads the Martin family's November invoice,
// number 2026000001, due on Thursday 31 December.
const stack = useStack({ clock: "2026-12-01T09:00:00+01:00", timeoutMs: 600_000 });

const parent = { email: "parent@demo.preau.fr", password: "Demo-Preau-2026" };

async function receipts() {
  const res = await fetch(stack.stack.mailbox.replace(/\/$/, "") + "/store", { signal: AbortSignal.timeout(5_000) });
  assert.equal(res.status, 200);
  const { emails } = await res.json();
  return emails.filter((e) => (e.destination?.to ?? []).some((a) => a.toLowerCase().includes(parent.email)) &&
    /Paiement reçu/.test(e.subject ?? ""));
}

test("Espace facturation: pay the demo invoice through PayFiP", async (t) => {
  if (skipWithoutBrowser(t, stack)) return;
  const page = await stack.page({ phone: true });
  await page.goto(stack.url("/?suivant=" + encodeURIComponent("/espace-facturation")));
  await page.getByLabel("Email (identifiant)").fill(parent.email);
  await page.getByLabel("Mot de passe", { exact: true }).fill(parent.password);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.waitForURL(/\/espace-facturation$/);

  await assert.doesNotReject(page.getByRole("heading", { name: "Espace facturation", level: 1 }).waitFor());
  const row = page.locator("tr", { has: page.getByRole("link", { name: "n° 2026000001" }) });
  assert.match(await row.innerText(), /novembre 2026/);
  assert.match(await row.innerText(), /à payer/);
  await stack.expectAccessible(page);
  await stack.expectNoHorizontalScroll(page);

  await page.getByRole("link", { name: "n° 2026000001" }).click();
  await page.waitForURL(/\/espace-facturation\/factures\/2026000001$/);
  assert.match(await page.locator("main").innerText(), /jeudi 31 décembre 2026/);
  await stack.expectAccessible(page);
  const pdf = await page.request.get(stack.url("/espace-facturation/factures/2026000001/pdf"));
  assert.equal(pdf.headers()["content-type"], "application/pdf");

  // Payer en ligne: PayFiP's page (the stand-in), then "Payer".
  await page.getByRole("button", { name: /^Payer en ligne/ }).click();
  await page.waitForURL(/\/tpa\/paiementws\.web\?idop=/);
  assert.match(await page.locator("body").innerText(), /2026000001/);
  await page.getByRole("button", { name: "Payer", exact: true }).click();

  // Back on the portal: the status comes from the stored state or PayFiP, never from the URL.
  await page.waitForURL(/\/espace-facturation\/factures\/2026000001\/retour$/);
  assert.match(await page.locator("#paiement").innerText(), /Paiement reçu : la facture est payée/);
  assert.equal((await page.locator("#etat").innerText()).trim(), "payée");
  await stack.expectAccessible(page);
  assert.equal(await page.getByRole("button", { name: /^Payer en ligne/ }).count(), 0, "a paid invoice offers no payment");

  await page.goto(stack.url("/espace-facturation"));
  assert.match(await page.locator("tr", { has: page.getByRole("link", { name: "n° 2026000001" }) }).innerText(), /payée/);

  // One receipt, however the result arrived (notification and return page both settle it).
  const deadline = Date.now() + 10_000;
  let mails = await receipts();
  while (mails.length === 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    mails = await receipts();
  }
  assert.equal(mails.length, 1, "one receipt e-mail");
  assert.match(mails[0].subject, /facture n° 2026000001/);
});
