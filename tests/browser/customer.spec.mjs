// customer.spec.mjs — a customer's own pages in a real browser: the
// one-click unsubscribe link from a campaign export, the preferences page it
// leads to (withdraw, give again, object), and the collection form, also
// embedded in another page's <iframe>.
import { run, assert, BASE, sargs } from "./lib.mjs";

await run("customer", async (t) => {
  const { page } = t;
  const lines = sargs("campaign", "export", "--purpose", "newsletter", "--channel", "email",
    "--base-url", "https://shop.example", "--format", "json").trim().split("\n");
  // the links are HTTPS on the shop's address; here the same path on the test server
  const url = JSON.parse(lines[0]).unsubscribe_url.replace("https://shop.example", BASE);
  assert.ok(url.startsWith(`${BASE}/u/`), `an unsubscribe URL: ${url}`);

  await t.step("unsubscribe page has one button", async () => {
    await page.goto(url);
    assert.equal(await page.locator("main form button").count(), 1);
  });

  await t.step("unsubscribe", async () => {
    await Promise.all([page.waitForNavigation(), page.click("main form button")]);
    assert.match(await page.textContent("h1"), /atteicies|unsubscribed/i);
  });

  await t.step("preferences page from the confirmation", async () => {
    await Promise.all([page.waitForNavigation(), page.click("#prefs-link")]);
    assert.match(page.url(), /\/p\//);
    await page.waitForSelector('#purpose-newsletter [data-state="withdrawn"]');
    assert.ok(await page.locator(".notice-version .version").count() > 0, "the notice version is shown");
  });

  await t.step("give consent again", async () => {
    await Promise.all([page.waitForNavigation(),
      page.click('button[data-action="give"][data-purpose="newsletter"]')]);
    await page.waitForSelector('#purpose-newsletter [data-state="given"]');
    assert.ok(await page.locator('.note.ok').count() === 1);
  });

  await t.step("withdraw with one click", async () => {
    await Promise.all([page.waitForNavigation(),
      page.click('button[data-action="withdraw"][data-purpose="newsletter"]')]);
    await page.waitForSelector('#purpose-newsletter [data-state="withdrawn"]');
  });

  await t.step("object to all direct marketing", async () => {
    await Promise.all([page.waitForNavigation(), page.click('button[data-action="object_all"]')]);
    await page.waitForSelector('#direct-marketing [data-state="objected"]');
  });

  await t.step("collection form: boxes unticked, notice shown", async () => {
    await page.goto(`${BASE}/form?lang=en`);
    const boxes = page.locator('input[type="checkbox"][name="consent"]');
    assert.ok(await boxes.count() > 0, "consent boxes");
    for (let i = 0; i < await boxes.count(); i++)
      assert.equal(await boxes.nth(i).isChecked(), false, "never ticked by us");
    assert.ok(await page.locator("#notice").isVisible(), "the short notice before the button");
  });

  await t.step("collection form: a missing e-mail is refused", async () => {
    await page.check('input[name="consent"][value="newsletter"]');
    await page.fill('input[name="f_first_name"]', "<b>Ilze</b>");
    await Promise.all([page.waitForNavigation(), page.click('form.collect button[type="submit"]')]);
    assert.equal(await page.locator(".note.error").count(), 1);
    assert.equal(await page.inputValue('input[name="f_first_name"]'), "<b>Ilze</b>");
  });

  await t.step("collection form: sign up", async () => {
    await page.fill('input[name="f_email"]', "parlukprogramma@example.lv");
    await Promise.all([page.waitForNavigation(), page.click('form.collect button[type="submit"]')]);
    assert.match(await page.textContent("h1"), /Thank you/);
    const found = JSON.parse(sargs("--json", "subject", "find", "--email", "parlukprogramma@example.lv"));
    assert.equal(found.ids.length, 1, "one new subject");
  });

  await t.step("collection form embedded in a shop's page", async () => {
    await page.setContent(`<h1>Shop</h1><iframe src="${BASE}/form?lang=en" width="600" height="800"></iframe>`);
    const frame = page.frameLocator("iframe");
    await frame.locator('input[name="consent"]').first().waitFor();
  });
});
