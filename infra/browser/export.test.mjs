// "Télécharger mes données" in a real browser: the demo parent reaches it from Mon espace
// citoyen, the page passes the accessibility audit on a phone, and both downloads hold the
// family's data (the CSV for a spreadsheet: UTF-8 with a byte-order mark, ';').

import { test } from "node:test";
import assert from "node:assert/strict";
import { useStack, skipWithoutBrowser } from "./harness.mjs";

const stack = useStack({ clock: "2026-12-01T09:00:00+01:00" });
const parent = { email: "parent@demo.preau.fr", password: "Demo-Preau-2026" };

test("Mon espace: Télécharger mes données gives the family's data as CSV and JSON", async (t) => {
  if (skipWithoutBrowser(t, stack)) return;
  const page = await stack.page({ phone: true });
  await page.goto(stack.url("/?suivant=" + encodeURIComponent("/mon-espace")));
  await page.getByLabel("Email (identifiant)").fill(parent.email);
  await page.getByLabel("Mot de passe", { exact: true }).fill(parent.password);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.waitForURL(/\/mon-espace$/);

  await page.getByRole("link", { name: "Télécharger mes données" }).click();
  await page.waitForURL(/\/mon-espace\/mes-donnees$/);
  await assert.doesNotReject(page.getByRole("heading", { name: "Télécharger mes données", level: 1 }).waitFor());
  await stack.expectAccessible(page);
  await stack.expectNoHorizontalScroll(page);

  const download = async (format) => page.evaluate(async (f) => {
    const res = await fetch(`/mon-espace/mes-donnees/${f}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    return { status: res.status, type: res.headers.get("content-type"), disposition: res.headers.get("content-disposition"),
      head: Array.from(bytes.slice(0, 3)), text: new TextDecoder().decode(bytes) };
  }, format);

  const csv = await download("csv");
  assert.equal(csv.status, 200);
  assert.match(csv.type, /^text\/csv/);
  assert.match(csv.disposition, /^attachment; filename="mes-donnees-portail-famille-2026-12-01\.csv"/);
  assert.deepEqual(csv.head, [0xef, 0xbb, 0xbf], "UTF-8 byte-order mark");
  assert.match(csv.text, /E-mail;Civilité;Nom;Prénom/);
  assert.match(csv.text, /parent@demo\.preau\.fr;Mme;Martin;Camille/);
  assert.match(csv.text, /Famille Martin;BLENFANCE-12087-\*\*\*\*-M2XD;B/);
  assert.match(csv.text, /Léa;Martin;2017-03-14/);
  assert.doesNotMatch(csv.text, /Benali|Dubois|Lefèvre/);

  const json = await download("json");
  assert.equal(json.status, 200);
  const data = JSON.parse(json.text);
  assert.equal(data.account.email, parent.email);
  assert.equal(data.family.name, "Famille Martin");
  assert.deepEqual(data.children.map((c) => c.firstName).sort(), ["Hugo", "Léa"]);
});
