"""Headless Chromium opens an innovative action's evaluation as an evaluator would: sign in
(landing on /evaluate), follow the action's link in the list of actions, read the results
table (six key figures with their readings), the charts of both groups around the start and
the checks, then switch the page to Urdu (right to left) with the header's language link.
Screenshots are saved.

Usage: action_flow.py BASE_URL USERNAME PASSWORD SCREENSHOT_DIR
Exit status 0 when every step behaved; otherwise a message saying which step failed."""
import os
import sys
import tempfile

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

base, user, password, shots = sys.argv[1:5]
os.makedirs(shots, exist_ok=True)

opts = webdriver.ChromeOptions()
opts.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
for a in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
          "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--window-size=1000,1400", f"--user-data-dir={tempfile.mkdtemp()}"]:
    opts.add_argument(a)
driver = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")),
                          options=opts)
driver.implicitly_wait(10)
driver.set_page_load_timeout(180)


def fail(step):
    driver.save_screenshot(os.path.join(shots, "action-failure.png"))
    print(f"FAILED at {step}: {driver.current_url}\n{driver.page_source[:2000]}")
    driver.quit()
    sys.exit(1)


try:
    driver.get(base + "/staff/signin?lang=en")
    driver.find_element(By.NAME, "username").send_keys(user)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.ID, "signin").click()
    WebDriverWait(driver, 120).until(lambda d: "/evaluate" in d.current_url)
    links = driver.find_elements(By.CSS_SELECTOR, "#action-list a")
    if not links or "Night sewer-cleaning crew" not in links[0].text:
        fail("the dashboard lists the action")
    links[0].click()
    WebDriverWait(driver, 120).until(lambda d: "/evaluate/actions/" in d.current_url)
    rows = driver.find_elements(By.CSS_SELECTOR, "#results tbody tr")
    if len(rows) != 6:
        fail(f"six key figures in the results (got {len(rows)})")
    if "comparison tehsils" not in rows[1].text:
        fail("each key figure has its reading")
    if len(driver.find_elements(By.CSS_SELECTOR, "svg.chart.series")) != 6:
        fail("one chart per key figure")
    if not driver.find_elements(By.CSS_SELECTOR, "svg.chart.series polyline.treated"):
        fail("the action tehsils' line is drawn")
    if "Placebo:" not in driver.find_element(By.ID, "mean_days_to_resolve").text:
        fail("the checks are shown")
    driver.save_screenshot(os.path.join(shots, "action-en.png"))
    driver.find_element(By.CSS_SELECTOR, "header a[href='?lang=ur']").click()
    WebDriverWait(driver, 120).until(lambda d: "lang=ur" in d.current_url)
    if driver.find_element(By.TAG_NAME, "html").get_attribute("dir") != "rtl":
        fail("the Urdu page is right-to-left")
    if "نتائج" not in driver.page_source or "تقابلی تحصیلیں" not in driver.page_source:
        fail("the Urdu headings")
    if len(driver.find_elements(By.CSS_SELECTOR, "#results tbody tr")) != 6:
        fail("the Urdu page keeps the six results")
    driver.save_screenshot(os.path.join(shots, "action-ur.png"))
finally:
    driver.quit()
print("ok")
