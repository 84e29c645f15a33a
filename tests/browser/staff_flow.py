"""Headless Chromium (Debian's chromium + chromedriver, driven by Selenium) walks the staff
pages the way a sub-engineer would: signs in, sees the queue, opens a ticket, acknowledges it,
adds a photo through the file form, starts work with a response template, resolves it with a
note. Screenshots of the queue and ticket pages are saved.

Usage: staff_flow.py BASE_URL USERNAME PASSWORD REFERENCE OTHER_REFERENCE SCREENSHOT_DIR PHOTO
Exit status 0 when every step behaved; otherwise a message saying which step failed."""
import os
import sys
import tempfile

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.support.ui import Select, WebDriverWait

base, user, password, ref, other, shots, photo = sys.argv[1:8]
os.makedirs(shots, exist_ok=True)
opts = webdriver.ChromeOptions()
opts.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
for a in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
          "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--window-size=1000,1200", f"--user-data-dir={tempfile.mkdtemp()}"]:
    opts.add_argument(a)
driver = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=opts)
driver.implicitly_wait(10)
driver.set_page_load_timeout(180)


def gone(element):
    """Waits for an element to leave the page. Chromium sometimes answers a check on a node
    from the page being replaced with a generic inspector error instead of "stale element",
    so any error means the old page is gone."""
    def check(_driver):
        try:
            element.is_enabled()
            return False
        except Exception:
            return True
    return check


def fail(step):
    driver.save_screenshot(os.path.join(shots, "failure.png"))
    print(f"FAILED at {step}: {driver.current_url}\n{driver.page_source[:2000]}")
    driver.quit()
    sys.exit(1)


try:
    driver.get(base + "/staff/signin?lang=en")
    driver.find_element(By.NAME, "username").send_keys(user)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.ID, "signin").click()
    try:
        WebDriverWait(driver, 120).until(lambda d: "signin" not in d.current_url)
    except Exception:
        fail("sign in")
    html = driver.page_source
    if f"/staff/tickets/{ref}" not in html:
        fail("queue shows our ticket")
    if f"/staff/tickets/{other}" in html:
        fail("queue hides another department's ticket")
    driver.save_screenshot(os.path.join(shots, "queue.png"))
    driver.get(base + f"/staff/tickets/{ref}")
    driver.save_screenshot(os.path.join(shots, "ticket.png"))
    def save_and_wait():  # wait for the form's redirect to replace the page
        old = driver.find_element(By.ID, "status")
        driver.find_element(By.ID, "save").click()
        WebDriverWait(driver, 120).until(gone(old))
        WebDriverWait(driver, 120).until(EC.presence_of_element_located((By.ID, "status")))

    Select(driver.find_element(By.ID, "action")).select_by_visible_text("acknowledge")
    save_and_wait()
    if driver.find_element(By.ID, "status").get_dom_attribute("data-status") != "acknowledged":
        fail("acknowledge")
    old = driver.find_element(By.ID, "status")
    driver.find_element(By.ID, "photo").send_keys(photo)
    driver.find_element(By.ID, "upload").click()
    WebDriverWait(driver, 120).until(gone(old))
    WebDriverWait(driver, 120).until(EC.presence_of_element_located((By.ID, "status")))
    thumbs = driver.find_elements(By.CSS_SELECTOR, "img[src*='/staff/media/']")
    if not thumbs:
        fail("photo thumbnail on the ticket page")
    # The page is there before its image: wait for the image to finish (a broken one ends with
    # width 0 and fails below), rather than read it at once (it failed under CI's load).
    natural = "return arguments[0].complete && arguments[0].naturalWidth"
    try:
        WebDriverWait(driver, 30).until(lambda d: d.execute_script(natural, thumbs[0]))
    except TimeoutException:
        pass
    loaded = driver.execute_script(natural, thumbs[0])
    if not loaded or int(loaded) != 320:
        fail(f"thumbnail loads 320 px wide (got {loaded})")
    Select(driver.find_element(By.ID, "action")).select_by_visible_text("start")
    template = Select(driver.find_element(By.ID, "template"))
    ids = [o.get_dom_attribute("value") for o in template.options]
    start = next((i for i in ids if i and i.startswith("water-supply.in_progress")), None)
    if not start:
        fail(f"a water-supply in_progress template is offered: {ids}")
    template.select_by_value(start)
    save_and_wait()
    if driver.find_element(By.ID, "status").get_dom_attribute("data-status") != "in_progress":
        fail("start with a template")
    Select(driver.find_element(By.ID, "action")).select_by_visible_text("resolve")
    driver.find_element(By.ID, "note").send_keys("Valve replaced, supply restored")
    save_and_wait()
    if driver.find_element(By.ID, "status").get_dom_attribute("data-status") != "resolved":
        fail("resolve")
    driver.save_screenshot(os.path.join(shots, "ticket-resolved.png"))
    driver.get(base + "/staff?lang=ur")
    if 'dir="rtl"' not in driver.page_source:
        fail("urdu queue is right-to-left")
    driver.save_screenshot(os.path.join(shots, "queue-ur.png"))
    print("ok")
finally:
    driver.quit()
