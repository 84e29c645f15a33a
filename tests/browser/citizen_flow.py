"""Headless Chromium (Debian's chromium + chromedriver, driven by Selenium) walks the citizen
pages the way a citizen in Larkana would, once with JavaScript off and once with it on, in
English and in Urdu:

  * JavaScript off, English: a report by district and tehsil (no point); a report placed by a
    tap on the tap map (an <input type="image"> the server reads);
  * JavaScript on, Urdu: a photo whose EXIF block says where it was taken (the place is
    proposed and confirmed); "this is my problem too" on an open report found with a tap on
    the inline map;
  * the track page shows a report; it is reopened and rated from it (the ticket is resolved in
    between through the staff API);
  * axe-core (from the local npm package, injected into the page) checks the report,
    confirmation, track and public list pages in English, Urdu and Sindhi: any serious or
    critical violation fails.

Screenshots of every page in each language go to SCREENSHOT_DIR.

Usage: citizen_flow.py BASE_URL SCREENSHOT_DIR PHOTO AXE_JS ADMIN_TOKEN NEARBY_REFERENCE NEARBY_LAT NEARBY_LON
Prints one line "created KIND REFERENCE" per report and "ok" at the end; exit 1 with the failed
step otherwise."""
import json
import os
import sys
import tempfile
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.support.ui import Select, WebDriverWait

base, shots, photo, axe_path, admin, near_ref, near_lat, near_lon = sys.argv[1:9]
near_lat, near_lon = float(near_lat), float(near_lon)
os.makedirs(shots, exist_ok=True)
AXE = open(axe_path, encoding="utf-8").read()


def browser(javascript):
    opts = webdriver.ChromeOptions()
    opts.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for a in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--window-size=420,1400", f"--user-data-dir={tempfile.mkdtemp()}"]:
        opts.add_argument(a)
    if not javascript:
        opts.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    d = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=opts)
    d.implicitly_wait(5)
    d.set_page_load_timeout(180)
    return d


driver = None


def fail(step):
    if driver is not None:
        driver.save_screenshot(os.path.join(shots, "citizen-failure.png"))
        print(f"FAILED at {step}: {driver.current_url}\n{driver.page_source[:3000]}")
        driver.quit()
    else:
        print(f"FAILED at {step}")
    sys.exit(1)


def shot(name):
    driver.save_screenshot(os.path.join(shots, f"citizen-{name}.png"))


def api(method, path, body=None):
    req = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={"Authorization": f"Bearer {admin}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read() or b"null")


def wait_status(reference, wanted, seconds=20):
    end = time.time() + seconds
    while time.time() < end:
        s = api("GET", f"/api/v1/requests/{reference}")["status"]
        if s in wanted:
            return s
        time.sleep(0.2)
    fail(f"{reference} never reached {wanted}")


def replaced(old):
    """True once `old` (the previous page's <html>) is gone. Chromium may report a node of the
    unloaded document as "does not belong to the document" instead of a stale reference, so
    any error asking about it means the page was replaced."""
    def gone(_):
        try:
            old.is_enabled()
            return False
        except WebDriverException:
            return True
    return gone


def submit_and_wait(button):
    old = driver.find_element(By.TAG_NAME, "html")
    button.click()
    WebDriverWait(driver, 120).until(replaced(old))


def reference_on_page():
    ref = driver.find_element(By.ID, "reference").text.replace(" ", "")
    if len(ref) != 9 or not ref.isdigit():
        fail(f"no reference on {driver.current_url}")
    return ref


def pick_service(code):
    driver.find_element(By.CSS_SELECTOR, f'input[name="service_code"][value="{code}"]').click()


created = []

# ---- JavaScript off, English -------------------------------------------------------------
driver = browser(javascript=False)
driver.get(base + "/report?lang=en")
shot("report-en-nojs")
if not driver.find_element(By.ID, "locate").get_attribute("hidden"):
    fail("the location button shows without JavaScript")
pick_service("sewerage-drainage")
submit_and_wait(driver.find_element(By.CSS_SELECTOR, 'button[name="step"][value="service"]'))
if not driver.find_element(By.CSS_SELECTOR, 'fieldset.questions[data-service="sewerage-drainage"]').is_displayed():
    fail("the chosen service's questions after Continue")
driver.find_element(By.ID, "description").send_keys("Drain overflowing into the street near the school")
Select(driver.find_element(By.ID, "district")).select_by_value("PK713")
Select(driver.find_element(By.ID, "tehsil")).select_by_value("PK71303")
driver.find_element(By.ID, "address").send_keys("Behind the Jinnah Bagh gate")
driver.find_element(By.ID, "phone").send_keys("0300 4445556")
submit_and_wait(driver.find_element(By.CSS_SELECTOR, 'button[name="step"][value="send"]'))
if "/report/done/" not in driver.current_url:
    fail("report by tehsil")
by_tehsil = reference_on_page()
created.append(("tehsil", by_tehsil))
shot("done-en-nojs")

driver.get(base + "/report?lang=en")
pick_service("roads")
Select(driver.find_element(By.ID, "district")).select_by_value("PK713")
submit_and_wait(driver.find_element(By.ID, "show-map"))
tap = driver.find_element(By.CSS_SELECTOR, 'input[type="image"][name="map"]')
shot("map-en-nojs")
old = driver.find_element(By.TAG_NAME, "html")
ActionChains(driver).move_to_element_with_offset(tap, 0, 0).click().perform()
WebDriverWait(driver, 120).until(replaced(old))
if "Place chosen:" not in driver.find_element(By.ID, "point").text:
    fail("a tap on the map without JavaScript")
driver.find_element(By.ID, "description").send_keys("Road washed away after the rain")
submit_and_wait(driver.find_element(By.CSS_SELECTOR, 'button[name="step"][value="send"]'))
if "/report/done/" not in driver.current_url:
    fail("report by map tap")
created.append(("map", reference_on_page()))
driver.quit()

# ---- JavaScript on, Urdu ------------------------------------------------------------------
driver = browser(javascript=True)
driver.get(base + "/report?lang=ur")
if driver.find_element(By.TAG_NAME, "html").get_attribute("dir") != "rtl":
    fail("Urdu is right-to-left")
shot("report-ur")
pick_service("water-supply")
if not driver.find_element(By.CSS_SELECTOR, 'fieldset.questions[data-service="water-supply"]').is_displayed():
    fail("the questions appear without a round trip")
driver.find_element(By.ID, "description").send_keys("پانی تین دن سے نہیں آ رہا")
driver.find_element(By.ID, "photo").send_keys(photo)
driver.find_element(By.ID, "phone").send_keys("0301 2223334")
submit_and_wait(driver.find_element(By.CSS_SELECTOR, 'button[name="step"][value="send"]'))
proposal = driver.find_elements(By.CSS_SELECTOR, 'button[name="use_exif"]')
if not proposal:
    fail("the photo's place is proposed")
shot("photo-place-ur")
submit_and_wait(proposal[0])
if not driver.find_element(By.ID, "lat").get_attribute("value"):
    fail("the proposed place is taken")
submit_and_wait(driver.find_element(By.CSS_SELECTOR, 'button[name="step"][value="send"]'))
if "/report/done/" not in driver.current_url:
    fail("report with the photo's place")
created.append(("photo", reference_on_page()))
shot("done-ur")

# "This is my problem too" after a tap on the inline map near the open report.
driver.get(base + "/report?lang=ur")
pick_service("water-supply")
Select(driver.find_element(By.ID, "district")).select_by_value("PK713")
driver.find_element(By.ID, "show-map").click()
svg = WebDriverWait(driver, 120).until(lambda d: d.find_element(By.CSS_SELECTOR, "#map svg"))
# Wholly in view, so Selenium's offset (from the centre of the visible part) is from its centre.
driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", svg)
offset = driver.execute_script("""
    var s = arguments[0], r = s.getBoundingClientRect(), vb = s.viewBox.baseVal;
    var x = (arguments[2] - s.getAttribute('data-west')) * s.getAttribute('data-kx');
    var y = (s.getAttribute('data-north') - arguments[1]) * s.getAttribute('data-ky');
    return [x * r.width / vb.width - r.width / 2, y * r.height / vb.height - r.height / 2];
""", svg, near_lat, near_lon)
ActionChains(driver).move_to_element_with_offset(svg, offset[0], offset[1]).click().perform()
try:
    mine = WebDriverWait(driver, 120).until(
        lambda d: d.find_element(By.CSS_SELECTOR, f'#nearby button[name="voice"][value="{near_ref}"]'))
except Exception:
    fail("the open report nearby after a tap on the inline map")
shot("nearby-ur")
driver.find_element(By.ID, "phone").send_keys("0302 5556667")
submit_and_wait(mine)
if "2" not in driver.find_element(By.TAG_NAME, "main").text:
    fail("the voice is counted")
shot("voice-ur")

# ---- Track, reopen, rate ------------------------------------------------------------------
wait_status(by_tehsil, {"open"})
api("POST", f"/api/v1/staff/tickets/{by_tehsil}/actions", {"action": "resolve", "note": "Drain cleared"})
for lang in ["en", "ur"]:
    driver.get(base + f"/track?lang={lang}")
    driver.find_element(By.ID, "ref").send_keys(f"{by_tehsil[:3]} {by_tehsil[3:6]} {by_tehsil[6:]}")
    submit_and_wait(driver.find_element(By.CSS_SELECTOR, "form.track button"))
    if f"/track/{by_tehsil}" not in driver.current_url:
        fail(f"track page in {lang}")
    shot(f"track-{lang}")
driver.find_element(By.ID, "reopen-phone").send_keys("0300 4445556")
driver.find_element(By.ID, "reopen-reason").send_keys("پانی اب بھی کھڑا ہے")
submit_and_wait(driver.find_element(By.CSS_SELECTOR, 'form[action*="/reopen"] button'))
if wait_status(by_tehsil, {"open"}) != "open":
    fail("reopen from the track page")
shot("reopened-ur")
api("POST", f"/api/v1/staff/tickets/{by_tehsil}/actions", {"action": "resolve", "note": "Drain cleared again"})
driver.get(base + f"/track/{by_tehsil}?lang=ur")
driver.find_element(By.ID, "rate-phone").send_keys("03004445556")
driver.find_element(By.CSS_SELECTOR, 'input[name="rating"][value="4"]').click()
submit_and_wait(driver.find_element(By.CSS_SELECTOR, 'form[action*="/rating"] button'))
if "done=rated" not in driver.current_url:
    fail("rating from the track page")
shot("rated-ur")

# ---- Public list, and axe-core on every citizen page in three languages -------------------
violations = []
checked = []
for lang in ["en", "ur", "sd"]:
    for name, path in [("report", f"/report?lang={lang}"), ("done", f"/report/done/{by_tehsil}?lang={lang}"),
                       ("track", f"/track/{by_tehsil}?lang={lang}"), ("list", f"/requests?lang={lang}&district=PK713")]:
        driver.get(base + path)
        if lang != "ur" or name in ("list",):
            shot(f"{name}-{lang}")
        driver.execute_script(AXE)
        found = driver.execute_async_script("""
            var done = arguments[arguments.length - 1];
            axe.run(document).then(function (r) {
                done({passes: r.passes.length, bad: r.violations.filter(function (v) { return v.impact === 'serious' || v.impact === 'critical'; })
                    .map(function (v) { return v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(function (n) { return n.target.join(' '); }).join(' | '); })});
            }).catch(function (e) { done({passes: 0, bad: ['axe failed: ' + e]}); });
        """)
        if found["passes"] < 10:
            violations.append(f"{name} {lang}: axe checked only {found['passes']} rules")
        checked.append(found["passes"])
        violations += [f"{name} {lang}: {v}" for v in found["bad"]]
driver.quit()
driver = None
for kind, ref in created:
    print(f"created {kind} {ref}")
print(f"axe-core: {len(checked)} pages, {min(checked)} to {max(checked)} rules passed on each")
if violations:
    print("axe-core found serious or critical violations:")
    for v in violations:
        print("  " + v)
    sys.exit(1)
print("ok")
