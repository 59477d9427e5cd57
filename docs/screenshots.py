"""Regenerate the README screenshots from a running `make demo` server.

    make demo            # in one terminal
    .venv/bin/python docs/screenshots.py http://127.0.0.1:8000 /verify/<code>/ /q/<token>/
    (the verification path and the questionnaire link are the ones seed_demo prints)

Uses Debian's Chromium through Playwright (never downloads a browser).
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
VERIFY_PATH = sys.argv[2] if len(sys.argv) > 2 else None
QUESTIONNAIRE_PATH = sys.argv[3] if len(sys.argv) > 3 else None
OUT = Path(__file__).resolve().parent / "img"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]  # fmt: skip


def sign_in(page, email: str) -> None:
    page.goto(f"{BASE}/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill("enabling-demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def shot(page, name: str) -> None:
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=False)
    print(f"wrote docs/img/{name}.png")


def main() -> None:
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        sign_in(page, "lead@demo.test")
        page.goto(f"{BASE}/portfolios/")
        page.locator("a[href^='/portfolios/']").filter(has_text="Demo Ward").first.click()
        shot(page, "portfolio-builder")
        page.get_by_role("link", name="Evidence library").first.click()
        shot(page, "evidence-library")
        page.context.clear_cookies()
        sign_in(page, "assessor2@demo.test")
        page.goto(f"{BASE}/reviews/")
        href = page.locator("a[href*='/reviews/assignments/']").first.get_attribute("href")
        page.goto(f"{BASE}{href}score/")
        shot(page, "assessor-scoring")
        page.context.clear_cookies()
        page.goto(f"{BASE}/awards/")
        shot(page, "award-register")
        if VERIFY_PATH:
            page.goto(f"{BASE}{VERIFY_PATH}")
            shot(page, "certificate-verification")
        if QUESTIONNAIRE_PATH:
            phone = browser.new_page(viewport={"width": 390, "height": 844})
            phone.goto(f"{BASE}{QUESTIONNAIRE_PATH}?easy=1")
            shot(phone, "questionnaire-easy-read")
        browser.close()


if __name__ == "__main__":
    main()
