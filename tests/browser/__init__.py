"""Browser tests: Playwright driving Debian's Chromium against real `hub serve` processes."""
