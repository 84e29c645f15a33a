"""Headless Chromium walks the staff inbox as a department's engineer and as the district
coordinator would: sign in, see the unread count in the header, open the inbox, find the
escalation addressed to them, open its ticket, come back and mark it read. Screenshots of the
inboxes (English and Urdu) are saved.

Usage: inbox_flow.py BASE_URL PASSWORD REFERENCE SCREENSHOT_DIR USER:EXPECTED_UNREAD...
Exit status 0 when every step behaved; otherwise a message saying which step failed."""
import os
import sys
import tempfile

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

base, password, ref, shots = sys.argv[1:5]
accounts = [a.split(":") for a in sys.argv[5:]]
os.makedirs(shots, exist_ok=True)


def browser():
    opts = webdriver.ChromeOptions()
    opts.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for a in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--window-size=1000,1000", f"--user-data-dir={tempfile.mkdtemp()}"]:
        opts.add_argument(a)
    d = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")),
                         options=opts)
    d.implicitly_wait(10)
    d.set_page_load_timeout(180)
    return d


def fail(driver, step):
    driver.save_screenshot(os.path.join(shots, "inbox-failure.png"))
    print(f"FAILED at {step}: {driver.current_url}\n{driver.page_source[:2000]}")
    driver.quit()
    sys.exit(1)


def unread(driver):
    # After a click the page is replaced; an element found on the old page goes stale while
    # it is read, which a wait must take as "not yet", not a failure. Chromium 156.0.8078.73
    # says "stale element"; 156.0.8078.114 says "Node with given id does not belong to the
    # document" as a plain WebDriverException, so both are caught (a count that never comes
    # still fails the wait when it times out).
    try:
        found = driver.find_elements(By.ID, "unread")
        return found[0].text.strip("()") if found else "0"
    except WebDriverException:
        return "-1"


for user, expected in accounts:
    driver = browser()
    try:
        driver.get(base + "/staff/signin?lang=en")
        driver.find_element(By.NAME, "username").send_keys(user)
        driver.find_element(By.NAME, "password").send_keys(password)
        driver.find_element(By.ID, "signin").click()
        WebDriverWait(driver, 120).until(lambda d: "signin" not in d.current_url)
        if unread(driver) != expected:
            fail(driver, f"{user}: the header shows {expected} unread (got {unread(driver)})")
        driver.find_element(By.ID, "inbox-link").click()
        WebDriverWait(driver, 120).until(lambda d: "/staff/inbox" in d.current_url)
        rows = driver.find_elements(By.CSS_SELECTOR, "#inbox tr.unread")
        if not any("ESCALATION 1" in r.text for r in rows):
            fail(driver, f"{user}: the escalation is in the inbox")
        driver.save_screenshot(os.path.join(shots, f"inbox-{user}.png"))
        link = driver.find_element(By.CSS_SELECTOR, f"#inbox a[href*='/staff/tickets/{ref}']")
        link.click()
        WebDriverWait(driver, 120).until(lambda d: f"/staff/tickets/{ref}" in d.current_url)
        if not driver.find_elements(By.ID, "status"):
            fail(driver, f"{user}: the ticket opens from the inbox")
        driver.get(base + "/staff/inbox?lang=ur")
        if 'dir="rtl"' not in driver.page_source:
            fail(driver, "the Urdu inbox is right-to-left")
        driver.save_screenshot(os.path.join(shots, f"inbox-{user}-ur.png"))
        before = int(unread(driver))
        escalation = next(r for r in driver.find_elements(By.CSS_SELECTOR, "#inbox tr.unread")
                          if "ESCALATION 1" in r.text)
        escalation.find_element(By.TAG_NAME, "button").click()
        WebDriverWait(driver, 120).until(lambda d: int(unread(d)) == before - 1)
        if any("ESCALATION 1" in r.text for r in driver.find_elements(By.CSS_SELECTOR, "#inbox tr.unread")):
            fail(driver, f"{user}: the escalation is marked read")
    finally:
        driver.quit()
print("ok")
