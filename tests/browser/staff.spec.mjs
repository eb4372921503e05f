// staff.spec.mjs — the staff console in a real browser: the owner (anna,
// Latvian) signs in, adds a customer with consent, withdraws the consent,
// opens an access request, verifies the person and downloads the copy;
// the cashier (kaspars) cannot open the requests page.
import { run, assert, BASE } from "./lib.mjs";
import { readFileSync } from "node:fs";

await run("staff", async (t) => {
  const { page } = t;
  const email = `liga.${Date.now()}@example.lv`;

  await t.step("owner signs in", async () => {
    await t.signIn("anna", process.env.OWNER_PASS);
    assert.match(page.url(), /\/console$/);
    assert.ok(await page.locator("header.top nav a[href='/console/requests']").count());
  });

  await t.step("add customer: purposes", async () => {
    await page.click("header.top nav a[href='/console/subjects/new']");
    await page.check('input[name="p_service"]');
    await page.check('input[name="p_newsletter"]');
    await Promise.all([page.waitForNavigation(), page.click('main form[action="/console/subjects/new"] button')]);
  });

  await t.step("add customer: fields", async () => {
    const box = page.locator('input[name="consent_newsletter"]');
    assert.equal(await box.isChecked(), false, "the consent box must start unticked");
    assert.equal(await page.locator('input[name="f_personal_code"]').count(), 0,
      "a field no chosen purpose needs is not asked");
    await page.fill('input[name="f_first_name"]', "Līga");
    await page.fill('input[name="f_last_name"]', "Bērziņa");
    await page.fill('input[name="f_email"]', email);
    await box.check();
    await Promise.all([page.waitForNavigation(), page.click('main form[action="/console/subjects"] button[type="submit"]')]);
    assert.match(page.url(), /\/console\/subjects\/[0-9a-f-]+\?purpose=/);
    assert.match(await page.locator("h1").innerText(), /Līga Bērziņa/);
  });

  await t.step("withdraw consent", async () => {
    const form = page.locator("form.withdraw");
    assert.equal(await form.count(), 1);
    await form.locator('select[name="channel"]').selectOption("phone");
    await Promise.all([page.waitForNavigation(), form.locator("button").click()]);
    const body = await page.locator("main").innerText();
    assert.match(body, /atsauca piekrišanu|consent withdrawn/);
    assert.equal(await page.locator("form.withdraw").count(), 0);
  });

  await t.step("open access request", async () => {
    await page.selectOption('form[action="/console/requests"] select[name="kind"]', "access");
    await Promise.all([page.waitForNavigation(),
      page.click('form[action="/console/requests"] button[type="submit"]')]);
    assert.match(page.url(), /\/console\/requests\/\d+$/);
  });

  await t.step("verify identity", async () => {
    await page.check('input[name="check_in_person"]');
    await Promise.all([page.waitForNavigation(), page.click('form[action$="/verify"] button')]);
    assert.match(page.url(), /done=verified/);
  });

  await t.step("download export", async () => {
    await page.selectOption('form[action$="/fulfil"] select[name="format"]', "json");
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.click('form[action$="/fulfil"] button'),
    ]);
    const path = await download.path();
    const text = readFileSync(path, "utf8");
    const data = JSON.parse(text);
    assert.ok(data && typeof data === "object");
    assert.ok(text.includes(email), "the copy holds the customer's e-mail");
    assert.ok(text.includes("Bērziņa"), "the copy holds the customer's name");
    await page.goto(page.url().replace(/\/fulfil$/, ""));
  });

  await t.step("owner signs out", async () => {
    await page.goto(`${BASE}/console`);
    await Promise.all([page.waitForNavigation(), page.click('form[action="/logout"] button')]);
    assert.match(page.url(), /\/login$/);
  });

  await t.step("cashier cannot see requests", async () => {
    await t.signIn("kaspars", process.env.CASHIER_PASS);
    assert.equal(await page.locator("header.top nav a[href='/console/requests']").count(), 0);
    const resp = await page.goto(`${BASE}/console/requests`);
    assert.equal(resp.status(), 403);
  });
});
