"""Who is signed in: the session's account, signing in and out, and guards for staff pages."""

from urllib.parse import quote

from starlette.requests import Request

from hub.models import Account
from hub.services.accounts import get_account, session_stamp
from hub.services.notifications import unread_count
from hub.web.app_state import hub_context
from hub.web.csrf import renew_csrf_token

_ACCOUNT_KEY = "account_id"
_STAMP_KEY = "stamp"
_DAY_KEY = "day"
_CACHE_ATTRIBUTE = "account"
UNREAD_ATTRIBUTE = "unread_notifications"
PASSWORD_PAGE = "/admin/password"  # noqa: S105 - a URL, not a password


class SignInRequired(Exception):
    """A staff page was asked for without a valid session: the person must log in first."""

    def __init__(self, next_path: str) -> None:
        super().__init__("sign in required")
        self.next_path = next_path


class PasswordChangeRequired(Exception):
    """The account still has its one-time password and must choose its own first."""


async def current_account(request: Request) -> Account | None:
    """Return the signed-in account, or None (no session, or the password changed since)."""
    if hasattr(request.state, _CACHE_ATTRIBUTE):
        cached: Account | None = getattr(request.state, _CACHE_ATTRIBUTE)
        return cached
    account = await _account_of_session(request)
    setattr(request.state, _CACHE_ATTRIBUTE, account)
    return account


async def _account_of_session(request: Request) -> Account | None:
    account_id = request.session.get(_ACCOUNT_KEY)
    if not isinstance(account_id, int):
        return None
    ctx = hub_context(request)
    account = await get_account(ctx, account_id)
    if account is None or request.session.get(_STAMP_KEY) != session_stamp(ctx, account):
        return None
    return account


async def staff_account(request: Request, *, allow_password_pending: bool = False) -> Account:
    """Return the signed-in account for a staff page.

    Raises:
        SignInRequired: nobody is signed in (the handler redirects to the login page).
        PasswordChangeRequired: the account must first replace its one-time password.
    """
    account = await current_account(request)
    if account is None:
        raise SignInRequired(local_path(request.url.path + _query_suffix(request)))
    if account.must_change_password and not allow_password_pending:
        raise PasswordChangeRequired
    _keep_session_alive(request)
    # Every staff page shows the unread count in its navigation.
    setattr(request.state, UNREAD_ATTRIBUTE, await unread_count(hub_context(request), account.id))
    return account


def sign_in(request: Request, account: Account) -> None:
    """Start a fresh session for the account, with a new CSRF token."""
    request.session.clear()
    assert account.id is not None  # noqa: S101 - a stored account
    request.session[_ACCOUNT_KEY] = account.id
    request.session[_STAMP_KEY] = session_stamp(hub_context(request), account)
    renew_csrf_token(request)
    _keep_session_alive(request)
    setattr(request.state, _CACHE_ATTRIBUTE, account)


def refresh_stamp(request: Request, account: Account) -> None:
    """Keep this session signed in after its own password change (other sessions end)."""
    request.session[_STAMP_KEY] = session_stamp(hub_context(request), account)
    setattr(request.state, _CACHE_ATTRIBUTE, account)


def sign_out(request: Request) -> None:
    """End the session: the cookie is cleared."""
    request.session.clear()
    setattr(request.state, _CACHE_ATTRIBUTE, None)


def local_path(candidate: str | None, default: str = "/admin/posts") -> str:
    """Return `candidate` when it is a path on this site, else `default` (no open redirects)."""
    if (
        not candidate
        or not candidate.startswith("/")
        or candidate.startswith("//")
        or "\\" in candidate
        or any(ord(character) < 0x20 for character in candidate)
    ):
        return default
    return candidate


def login_url(next_path: str) -> str:
    """Return the login page's URL that comes back to `next_path` afterwards."""
    return "/login?next=" + quote(next_path, safe="/")


def _query_suffix(request: Request) -> str:
    return "?" + request.url.query if request.url.query else ""


def _keep_session_alive(request: Request) -> None:
    # Changing the session re-issues the cookie with a fresh lifetime; doing it once a day
    # keeps people who use the Hub signed in without sending a cookie on every response.
    today = int(hub_context(request).clock().timestamp() // 86400)
    if request.session.get(_DAY_KEY) != today:
        request.session[_DAY_KEY] = today
