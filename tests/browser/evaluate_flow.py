"""Headless Chromium walks the evidence dashboard as an evaluator would: sign in (landing on
/evaluate), read the key figures, the monthly chart and the SDG view, choose Larkana in the
filter form to see the ranked needs and the hotspot map, then the same in Urdu (right to left).
Screenshots are saved.

Usage: evaluate_flow.py BASE_URL USERNAME PASSWORD SCREENSHOT_DIR
Exit status 0 when every step behaved; otherwise a message saying which step failed."""
import os
import sys
import tempfile

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

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
    driver.save_screenshot(os.path.join(shots, "evaluate-failure.png"))
    print(f"FAILED at {step}: {driver.current_url}\n{driver.page_source[:2000]}")
    driver.quit()
    sys.exit(1)


try:
    driver.get(base + "/staff/signin?lang=en")
    driver.find_element(By.NAME, "username").send_keys(user)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.ID, "signin").click()
    WebDriverWait(driver, 120).until(lambda d: "/evaluate" in d.current_url)
    tiles = driver.find_elements(By.CSS_SELECTOR, "#tiles .tile")
    if len(tiles) != 7:
        fail(f"seven key-figure tiles (got {len(tiles)})")
    if not driver.find_elements(By.CSS_SELECTOR, "svg.chart rect"):
        fail("the monthly chart has bars")
    if "6.2" not in driver.find_element(By.ID, "sdg").text:
        fail("the SDG view lists target 6.2")
    driver.save_screenshot(os.path.join(shots, "evaluate-all-en.png"))
    Select(driver.find_element(By.NAME, "district")).select_by_value("PK713")
    driver.find_element(By.CSS_SELECTOR, "#filters button").click()
    WebDriverWait(driver, 120).until(lambda d: "district=PK713" in d.current_url)
    needs = driver.find_elements(By.CSS_SELECTOR, "#needs tr")
    if len(needs) < 2:
        fail("the ranked needs of Larkana")
    if not driver.find_elements(By.CSS_SELECTOR, "#hotspot-map svg circle"):
        fail("a hotspot on Larkana's map")
    driver.save_screenshot(os.path.join(shots, "evaluate-larkana-en.png"))
    driver.get(base + "/evaluate?lang=ur&district=PK713")
    if 'dir="rtl"' not in driver.page_source:
        fail("the Urdu dashboard is right-to-left")
    if "مقامی منصوبوں کے لیے شواہد" not in driver.find_element(By.TAG_NAME, "h1").text:
        fail("the Urdu title")
    if not driver.find_elements(By.CSS_SELECTOR, "#hotspot-map svg circle"):
        fail("the Urdu page keeps the hotspot map")
    driver.save_screenshot(os.path.join(shots, "evaluate-larkana-ur.png"))
finally:
    driver.quit()
print("ok")
