"""In a real browser: log in, change the one-time password, write, preview, publish, edit."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import ServedHub
from tests.support.images import image_bytes

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.timeout(300)]

NEW_PASSWORD = "swifts are back over the roofs"
TITLE = "Observatory Sighting #7: Taking stock"
ALT = "Three swifts above a row of terraced houses at dusk"


def _log_in_with_the_keyboard(page: Page, hub: ServedHub) -> None:
    page.goto(f"{hub.base_url}/login")
    page.get_by_label("Email address").focus()
    page.keyboard.type(hub.admin_email)
    page.keyboard.press("Tab")
    page.keyboard.type(hub.one_time_password)
    page.keyboard.press("Enter")


def _choose_own_password(page: Page, hub: ServedHub) -> None:
    expect(page).to_have_url(re.compile(r"/admin/password$"))
    expect(page.get_by_role("status")).to_contain_text("one-time password")
    page.locator("#current_password").fill(hub.one_time_password)
    page.locator("#new_password").fill(NEW_PASSWORD)
    page.locator("#new_password_again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password was changed.")


def _write_a_post(page: Page, image: Path) -> None:
    page.get_by_role("link", name="Write a post").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Write a post")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("In brief").fill("What we have learnt about the response so far.")
    page.get_by_label("Body").fill("In the seventh edition we **take stock** of the season.")
    page.get_by_label("Tags").fill("observatory, swifts")
    page.get_by_label("Series").fill("Observatory Sightings")
    page.get_by_label("Add an image").set_input_files(str(image))
    page.get_by_label("Description of the new image").fill(ALT)


WIDER_THAN_THE_SCREEN = """() => {
  const wide = [];
  for (const element of document.querySelectorAll("body *")) {
    const box = element.getBoundingClientRect();
    if (box.width > 0 && box.right > window.innerWidth + 1) {
      wide.push(`${element.tagName.toLowerCase()}#${element.id}.${element.className}`);
    }
  }
  return wide;
}"""


def _wider_than_the_screen(page: Page) -> list[str]:
    """Return the elements that stick out to the right (they would make a phone scroll)."""
    found: list[str] = page.evaluate(WIDER_THAN_THE_SCREEN)
    return found


def test_staff_publish_edit_and_delete_a_post_with_an_image(
    served_hub: ServedHub, browser: BrowserContext, artifacts: Path, tmp_path: Path, backend: str
) -> None:
    page = browser.new_page()
    image = tmp_path / "swifts.png"
    image.write_bytes(image_bytes((320, 200), color=(40, 90, 140)))

    # Given the admin logs in with the one-time password `hub init` printed
    _log_in_with_the_keyboard(page, served_hub)
    _choose_own_password(page, served_hub)

    # When they write a post with an image and preview it
    _write_a_post(page, image)
    page.get_by_role("button", name="Preview", exact=True).click()
    preview = page.locator("#preview")
    expect(preview).to_be_focused()
    expect(preview.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(preview.locator("strong", has_text="take stock")).to_be_visible()
    expect(preview.get_by_role("img", name=ALT)).to_have_count(2)  # the page and Mastodon
    expect(page.get_by_label("Description of image 1 (alt text)")).to_have_value(ALT)
    page.screenshot(path=str(artifacts / f"compose-{backend}.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    assert _wider_than_the_screen(page) == []
    page.screenshot(path=str(artifacts / f"compose-phone-{backend}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    # And publish it
    page.get_by_role("button", name="Publish now").click()
    expect(page.get_by_role("status")).to_contain_text(f"Published “{TITLE}”.")

    # Then it is on the profile and on its own page, with the image and its alt text
    page.goto(f"{served_hub.base_url}/@org")
    page.get_by_role("link", name=TITLE).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_role("img", name=ALT)).to_be_visible()
    post_url = page.url
    page.screenshot(path=str(artifacts / f"post-{backend}.png"), full_page=True)

    # When they edit the title
    page.goto(f"{served_hub.base_url}/admin/posts")
    page.get_by_role("link", name=f"Edit “{TITLE}”").click()
    page.get_by_label("Title").fill("Taking stock of the swifts")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status")).to_contain_text("Changes saved")
    page.goto(post_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Taking stock of the swifts")

    # And delete it, confirming first
    page.goto(f"{served_hub.base_url}/admin/posts")
    page.get_by_role("link", name="Delete “Taking stock of the swifts”").click()
    expect(page.get_by_text("cannot be undone")).to_be_visible()
    page.get_by_role("button", name="Delete the post").click()
    expect(page.get_by_role("status")).to_contain_text("Deleted")

    # Then its address answers 410 Gone
    response = page.goto(post_url)
    assert response is not None
    assert response.status == 410


def test_missing_alt_text_is_reported_by_the_field_and_the_text_is_kept(
    served_hub: ServedHub, browser: BrowserContext, tmp_path: Path
) -> None:
    page = browser.new_page()
    image = tmp_path / "chart.png"
    image.write_bytes(image_bytes())
    _log_in_with_the_keyboard(page, served_hub)
    _choose_own_password(page, served_hub)
    _write_a_post(page, image)
    page.get_by_label("Description of the new image").fill("")
    page.get_by_role("button", name="Publish now").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Describe the image")
    alt_field = page.get_by_label("Description of the new image")
    expect(alt_field).to_have_attribute("aria-invalid", "true")
    expect(alt_field).to_have_attribute("aria-describedby", re.compile("image_alt-error"))
    expect(page.get_by_label("Title")).to_have_value(TITLE)
    expect(page.get_by_label("Body")).to_have_value(re.compile("take stock"))
