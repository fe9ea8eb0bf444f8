# The browser fixtures of tests/browser (one Debian Chromium per package, phone and desktop pages).
from tests.browser.conftest import axe_path, browser, mobile_page, page  # noqa: F401
