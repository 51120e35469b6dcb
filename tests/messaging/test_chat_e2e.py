"""Browser journeys of the chat (Playwright + Chromium against a real daphne, PostgreSQL), issue 17:
- item 9: the connection state shows inside an open conversation on a 390 px phone, counts down, retries
  at once when the page regains focus or the network returns, shows the messages waiting to be sent;
- item 14: the unread count in the header of every page and in the tab title, and opt-in browser
  notifications for direct messages and mentions.
"""

import json
import re
import signal
import socket
import threading
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress

import pytest
from django.conf import global_settings
from django.db import connection
from rest_framework.authtoken.models import Token

from messaging import services
from messaging.models import Conversation, Message
from tests import processes
from tests.browser import screenshot, sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e


def post_json(url: str, payload: dict, token: str) -> dict:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def off_loop(function, **kwargs):
    """Services publish on commit through async_to_sync: not from Playwright's event-loop thread."""

    def run():
        try:
            return function(**kwargs)
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()


@pytest.fixture
def people(transactional_db, world, settings):
    processes.require_postgres()
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS  # what the daphne process checks with
    for user in (world.member_a, world.member_b):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    direct = off_loop(
        services.conversation_create,
        actor=world.member_a,
        kind=Conversation.Kind.DIRECT,
        federation=world.fed,
        members=[world.member_b],
    )
    return direct


class Gate:
    """The server's address as the browser knows it: a TCP relay on a port of its own, in front of daphne's.

    Closed, nothing listens there and connections are refused, as with a dead server; open, every
    connection is relayed to the daphne it was opened for. The test, not daphne's start-up time (1 to 4 s
    here), decides when the page can reach the server again: without it the page's own back-off timer
    often reconnected to the restarted daphne before the test could trigger the retry it checks.

    Two bad networks besides: `hold()` accepts connections and never answers them (an attempt that
    hangs), `black_hole()` also stops carrying anything on the connections already relayed, either way,
    without closing them (a phone that changed network: the socket died silently). Connections held or
    silenced stay so; after `open()`, new ones are relayed again."""

    def __init__(self) -> None:
        self.port = processes.free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self._listener: socket.socket | None = None
        self._target: int | None = None  # None: hold new connections
        self._pairs: dict[tuple[socket.socket, socket.socket], threading.Event] = {}  # -> silenced
        self._held: list[socket.socket] = []
        self._lock = threading.Lock()

    def open(self, server_base: str) -> None:
        self._target = int(server_base.rsplit(":", 1)[1])
        self._listen()

    def hold(self, *, drop: bool = False) -> None:
        """Accept new connections but never answer; with `drop`, cut the open ones (1006)."""
        self._target = None
        self._listen()
        if drop:
            self._drop()

    def black_hole(self) -> None:
        """Nothing goes through any more, and nothing closes: new connections held, open ones silenced."""
        self.hold()
        with self._lock:
            for silenced in self._pairs.values():
                silenced.set()

    def close(self, *, drop: bool = False) -> None:
        """Refuse new connections; with `drop`, also cut the open ones (no close frame: 1006)."""
        listener, self._listener = self._listener, None
        if listener is not None:
            with suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() below
            listener.close()
        if drop:
            self._drop()
            with self._lock:
                held, self._held = self._held, []
            for client in held:
                _shut(client)
                client.close()

    def _listen(self) -> None:
        if self._listener is None:
            self._listener = socket.create_server(("127.0.0.1", self.port))  # SO_REUSEADDR on POSIX
            threading.Thread(target=self._accept, args=(self._listener,), daemon=True).start()

    def _drop(self) -> None:
        with self._lock:
            pairs = list(self._pairs)
        for pair in pairs:
            _shut(*pair)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            target = self._target
            if target is None:
                with self._lock:
                    self._held.append(client)  # read nothing, answer nothing, close nothing
                continue
            threading.Thread(target=self._relay, args=(client, target), daemon=True).start()

    def _relay(self, client: socket.socket, target: int) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", target), timeout=5)
        except OSError:  # the server is gone: the browser sees its connection fail
            client.close()
            return
        upstream.settimeout(None)
        pair, silenced = (client, upstream), threading.Event()
        with self._lock:
            self._pairs[pair] = silenced
        back = threading.Thread(target=_pump, args=(upstream, client, silenced), daemon=True)
        back.start()
        _pump(client, upstream, silenced)
        back.join()
        with self._lock:
            self._pairs.pop(pair, None)
        client.close()
        upstream.close()


def _shut(*sockets: socket.socket) -> None:
    for sock in sockets:
        with suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _pump(source: socket.socket, sink: socket.socket, silenced: threading.Event) -> None:
    """Copy one direction (what arrives once `silenced` is set is lost); when either end goes (daphne
    killed, page closed), end both directions."""
    try:
        while data := source.recv(65536):
            if not silenced.is_set():
                sink.sendall(data)
    except OSError:
        pass
    finally:
        _shut(source, sink)


def _countdown(page) -> int | None:
    found = re.search(r"dans (\d+) s", page.inner_text("#chat-conn-text"))
    return int(found.group(1)) if found else None


def _wait_for_countdown(page, *, minimum: int, timeout: float = 30) -> int:
    """Until the banner counts down from at least `minimum` seconds; returns the seconds shown. Polled
    from Python: the page's CSP forbids the evaluated functions Playwright's wait_for_function polls with."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seconds = _countdown(page)
        if seconds is not None and minimum <= seconds <= 9:
            return seconds
        time.sleep(0.1)
    raise AssertionError(page.inner_text("#chat-conn-text"))


def _wait_for_text(page, selector: str, text: str, timeout: float = 5) -> None:
    deadline = time.monotonic() + timeout
    while text not in page.inner_text(selector):
        if time.monotonic() > deadline:
            raise AssertionError(page.inner_text(selector))
        time.sleep(0.1)


def _state(page) -> str:
    return page.get_attribute("#chat-status", "data-state")


def _wait_for_state(page, state: str, timeout: float) -> float:
    """Polls until the connection is in `state`; returns the seconds it took."""
    started = time.monotonic()
    while _state(page) != state:
        if time.monotonic() - started > timeout:
            raise AssertionError((state, page.inner_text("#chat-conn")))
        time.sleep(0.05)
    return time.monotonic() - started


def _stays_open(page, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert _state(page) == "open", page.inner_text("#chat-conn")
        time.sleep(0.1)


def _inside_viewport(page, selector: str) -> None:
    box, viewport = page.locator(selector).bounding_box(), page.viewport_size
    assert box is not None, selector
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], (selector, box, viewport)
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], (selector, box, viewport)


def _open_conversation(page, base: str, email: str, conversation) -> None:
    sign_in(page, base, email, PASSWORD)
    page.goto(f"{base}/messagerie/#c{conversation.pk}")
    page.wait_for_selector("#chat-status[data-state=open]", state="attached")


def _reconnects_at_once(page, trigger) -> None:
    """`trigger` must bring the connection back before the page's own retry, which the banner says is
    still `seconds` away: at least `seconds - 2` (the countdown is redrawn once a second)."""
    seconds = _wait_for_countdown(page, minimum=6)
    started = time.monotonic()
    trigger()
    page.wait_for_selector("#chat-status[data-state=open]", state="attached", timeout=10000)
    elapsed = time.monotonic() - started
    assert elapsed < seconds - 2, (elapsed, seconds)
    assert page.inner_text("#chat-status") == "Connecté"


def test_reconnection_is_shown_inside_the_conversation_on_a_phone(people, world, new_page, tmp_path):
    direct = people
    gate = Gate()
    try:
        with processes.daphne_process(tmp_path) as (first, process):
            gate.open(first)
            phone = new_page()  # 390 x 844
            sign_in(phone, gate.base, world.member_b.email, PASSWORD)
            phone.goto(f"{gate.base}/messagerie/#c{direct.pk}")
            phone.wait_for_selector("#chat-status[data-state=open]", state="attached")
            assert phone.locator("#chat-input").is_visible()  # the conversation is open, the list is not
            assert not phone.locator("#chat-conversations").is_visible()
            assert not phone.locator("#chat-conn").is_visible()  # connected, nothing waiting: no banner

            process.send_signal(signal.SIGKILL)  # a dropped connection (1006), no close frame
            process.wait(timeout=10)
            gate.close()  # and, from now on, connections refused
        banner = phone.locator("#chat-conn")
        banner.wait_for(state="visible", timeout=10000)
        assert phone.locator("#chat-input").is_visible()  # still inside the conversation
        _inside_viewport(phone, "#chat-conn")  # on the screen, with the composer
        _inside_viewport(phone, "#chat-input")
        # Several failed attempts: the back-off grows; the countdown counts down.
        seconds = _wait_for_countdown(phone, minimum=5)
        deadline = time.monotonic() + 3
        while (_countdown(phone) or seconds) >= seconds and time.monotonic() < deadline:
            time.sleep(0.1)
        assert (_countdown(phone) or seconds) < seconds, (seconds, phone.inner_text("#chat-conn-text"))
        # A message written meanwhile waits, and says so.
        phone.fill("#chat-input", "Envoyé hors connexion")
        phone.click("#chat-compose button[type=submit]")
        assert "1 message(s) en attente" in phone.inner_text("#chat-conn")
        assert phone.locator("#chat-messages li.pending").count() == 1
        assert phone.locator("#chat-conn-retry").is_visible()
        screenshot(phone, "17-chat-reconnecting-phone")

        with processes.daphne_process(tmp_path) as (second, _process):
            # The server is back, the next attempt still seconds away: regaining focus retries at once,
            # then the waiting message goes out, once.
            def focus():
                gate.open(second)
                phone.evaluate("window.dispatchEvent(new Event('focus'))")

            _reconnects_at_once(phone, focus)
            phone.wait_for_selector("#chat-messages li[data-seq='1']:not(.pending)", timeout=10000)
            banner.wait_for(state="hidden", timeout=5000)
            assert Message.objects.filter(conversation=direct, body="Envoyé hors connexion").count() == 1

            # The network goes, and comes back: the page retries at once.
            gate.close(drop=True)
            banner.wait_for(state="visible", timeout=10000)

            def network_returns():
                phone.context.set_offline(True)
                _wait_for_text(phone, "#chat-conn-text", "Hors ligne")
                gate.open(second)
                phone.context.set_offline(False)

            _reconnects_at_once(phone, network_returns)
            banner.wait_for(state="hidden", timeout=5000)
    finally:
        gate.close(drop=True)


def test_unread_badge_title_and_notifications_on_every_page(people, world, new_page, tmp_path):
    direct = people
    token = off_loop(Token.objects.create, user=world.member_a).key
    with processes.daphne(tmp_path) as base:
        page = new_page(width=1280, height=900)
        page.context.grant_permissions(["notifications"], origin=base)
        # Record the notifications the page shows (headless Chromium displays none).
        page.add_init_script(
            """
            window.__notes = [];
            const Real = window.Notification;
            window.Notification = function (title, options) { window.__notes.push({title, body: options.body}); return {close() {}}; };
            window.Notification.permission = Real ? Real.permission : "granted";
            window.Notification.requestPermission = () => Promise.resolve("granted");
            """
        )
        logs = []
        page.on("console", lambda m: logs.append(m.text))
        page.on("pageerror", lambda e: logs.append(str(e)))
        sign_in(page, base, world.member_b.email, PASSWORD)
        # Opt in on the preferences page.
        page.goto(f"{base}/messagerie/preferences/")
        toggle = page.locator("[data-notify-toggle]")
        assert toggle.inner_text() == "Activer les notifications du navigateur"
        toggle.click()
        try:
            page.wait_for_function("() => localStorage.getItem('maillage.notify') === '1'", timeout=5000)
        except Exception:
            raise AssertionError([logs, page.content()[-3000:]]) from None
        assert toggle.inner_text() == "Désactiver les notifications du navigateur"

        page.goto(f"{base}/mes-adhesions/")
        assert not page.locator("#nav-unread").is_visible()
        page.wait_for_timeout(1500)  # the page's socket connects
        # Alice writes through the API of the same server (its process publishes to the sockets).
        post_json(
            f"{base}/api/messaging/conversations/{direct.pk}/messages/",
            {"body": "Tu peux me rappeler ?", "client_id": str(uuid.uuid4())},
            token,
        )
        page.wait_for_function(
            "() => document.getElementById('nav-unread').textContent === '1'", timeout=10000
        )
        assert page.locator("#nav-unread").is_visible()
        assert page.title().startswith("(1) ")
        page.wait_for_function("() => window.__notes.length === 1", timeout=10000)
        note = page.evaluate("window.__notes[0]")
        assert "Tu peux me rappeler ?" in note["body"] and world.member_a.display_name in note["body"]
        screenshot(page, "17-unread-badge-header")
        # Server-rendered on the next page too (no JavaScript needed for the count).
        page.goto(f"{base}/annuaire/")
        assert page.locator("#nav-unread").inner_text() == "1"
        # Reading it in the chat clears the badge and the title.
        page.goto(f"{base}/messagerie/#c{direct.pk}")
        page.wait_for_function("() => document.getElementById('nav-unread').hidden", timeout=10000)
        assert not page.title().startswith("(")


def test_a_connection_attempt_that_hangs_is_given_up(people, world, new_page, tmp_path):
    """A bad network: the attempt gets no answer at all. After 10 s (chat.js's connectTimeout, left as
    is) it counts as failed (countdown, back-off); focus during a hanging attempt starts a fresh one."""
    direct = people
    gate = Gate()
    try:
        with processes.daphne(tmp_path) as base:
            gate.open(base)
            phone = new_page()
            _open_conversation(phone, gate.base, world.member_b.email, direct)

            gate.hold(drop=True)  # the connection drops; the attempts that follow hang
            _wait_for_state(phone, "closed", timeout=10)
            _wait_for_state(phone, "connecting", timeout=5)
            assert phone.inner_text("#chat-conn-text") == "Connexion…"
            hung = _wait_for_state(phone, "closed", timeout=20)
            assert 8 < hung < 14, hung  # given up after 10 s, not before, not never
            assert _countdown(phone) is not None, phone.inner_text("#chat-conn-text")
            assert phone.locator("#chat-conn-retry").is_visible()

            # The next attempt hangs too; the network comes back and the page regains focus: a fresh
            # attempt goes out at once, instead of waiting for the hanging one's 10 s.
            _wait_for_state(phone, "connecting", timeout=15)
            assert phone.locator("#chat-conn-retry").is_visible()  # a retry that may hang: offered
            time.sleep(2.5)
            gate.open(base)
            phone.evaluate("window.dispatchEvent(new Event('focus'))")
            reconnected = _wait_for_state(phone, "open", timeout=15)
            assert reconnected < 5, reconnected
            phone.locator("#chat-conn").wait_for(state="hidden", timeout=5000)
            # The attempt given up (its timer included) does not disturb the new socket.
            _stays_open(phone, 9)
    finally:
        gate.close(drop=True)


def test_a_socket_that_died_silently_is_detected(people, world, new_page, tmp_path):
    """A phone that changed network: nothing comes, nothing closes. The heartbeat (shortened here: the
    page reads window.MaillageChatTiming) pings after `pingAfter` without any frame and reconnects when
    no frame comes within `pongTimeout`; the messages written meanwhile go out once."""
    direct = people
    gate = Gate()
    try:
        with processes.daphne(tmp_path) as base:
            gate.open(base)
            phone = new_page()
            phone.add_init_script(
                "window.MaillageChatTiming = {pingAfter: 3000, pongTimeout: 2000, connectTimeout: 4000};"
            )
            _open_conversation(phone, gate.base, world.member_b.email, direct)
            _stays_open(phone, 7)  # idle, yet answered: the heartbeat does not drop a live socket

            # Idle when the network goes: the unanswered ping gives it away.
            gate.black_hole()
            detected = _wait_for_state(phone, "closed", timeout=10)
            assert detected < 3 + 2 + 1.5, detected  # the next ping, its timeout, a margin
            phone.locator("#chat-conn").wait_for(state="visible")
            _inside_viewport(phone, "#chat-conn")
            phone.fill("#chat-input", "Écrit pendant la coupure")
            phone.click("#chat-compose button[type=submit]")
            assert "1 message(s) en attente" in phone.inner_text("#chat-conn")
            gate.open(base)
            _wait_for_state(phone, "open", timeout=20)
            phone.wait_for_selector("#chat-messages li[data-seq='1']:not(.pending)", timeout=10000)
            phone.locator("#chat-conn").wait_for(state="hidden", timeout=5000)

            # Writing just after the network went: the message waits (greyed), the socket is found
            # dead, and the message goes out once on the next one.
            gate.black_hole()
            phone.fill("#chat-input", "Envoyé dans le vide")
            phone.click("#chat-compose button[type=submit]")
            assert phone.locator("#chat-messages li.pending").count() == 1
            _wait_for_state(phone, "connecting", timeout=10)
            assert "1 message(s) en attente" in phone.inner_text("#chat-conn")
            gate.open(base)
            _wait_for_state(phone, "open", timeout=20)
            phone.wait_for_selector("#chat-messages li[data-seq='2']:not(.pending)", timeout=10000)
            phone.locator("#chat-conn").wait_for(state="hidden", timeout=5000)
            time.sleep(1)  # a second copy would have arrived by now
            for body in ("Écrit pendant la coupure", "Envoyé dans le vide"):
                assert Message.objects.filter(conversation=direct, body=body).count() == 1, body
                assert phone.locator("#chat-messages li", has_text=body).count() == 1, body
    finally:
        gate.close(drop=True)


def test_the_composer_is_on_the_first_screen(people, world, new_page, tmp_path):
    """A 390 x 844 phone: the open conversation fills the screen, its messages scroll inside it and the
    composer is visible without scrolling; the 1280 x 800 desktop keeps its two panes."""
    direct = people

    def write_history():
        for n in range(1, 41):
            services.message_send(
                actor=world.member_a if n % 2 else world.member_b,
                conversation=direct,
                body=f"Message {n} : le patient sort demain, prévoir le passage infirmier et la pharmacie.",
                client_id=uuid.uuid4(),
            )

    off_loop(write_history)
    with processes.daphne(tmp_path) as base:
        phone = new_page()
        _open_conversation(phone, base, world.member_b.email, direct)
        phone.wait_for_selector("#chat-messages li[data-seq='40']")
        phone.wait_for_timeout(300)  # the stream scrolled to the last message
        assert phone.evaluate("window.scrollY") == 0
        for selector in ("#chat-input", "#chat-compose button[type=submit]", "#chat-title", "#chat-back"):
            _inside_viewport(phone, selector)
        last = phone.locator("#chat-messages li[data-seq='40']").bounding_box()
        composer = phone.locator("#chat-compose").bounding_box()
        assert last["y"] + last["height"] <= composer["y"], (last, composer)  # the newest message shows
        assert phone.locator("#chat-messages li[data-seq='1']").bounding_box()["y"] < 0  # the rest scrolls
        screenshot(phone, "chat-conversation-390")
        phone.click("#chat-back")  # back to the list, with the site's header
        assert phone.locator("#chat-conversations").is_visible()
        assert phone.locator(".topbar").is_visible()

        desktop = new_page(width=1280, height=800)
        _open_conversation(desktop, base, world.member_b.email, direct)
        desktop.wait_for_selector("#chat-messages li[data-seq='40']")
        for selector in (
            "#chat-input",
            "#chat-compose button[type=submit]",
            "#chat-conversations",
            ".topbar",
        ):
            _inside_viewport(desktop, selector)
        assert (
            desktop.locator("#chat-conversations").bounding_box()["x"]
            < desktop.locator("#chat-input").bounding_box()["x"]
        )
        screenshot(desktop, "chat-conversation-1280")


def test_the_header_badge_survives_a_socket_that_died_silently(people, world, new_page, tmp_path):
    """On the other pages unread.js keeps the tab's socket the same way: a silent socket is replaced,
    and the counts the new one brings reach the header badge."""
    direct = people
    token = off_loop(Token.objects.create, user=world.member_a).key
    gate = Gate()
    try:
        with processes.daphne(tmp_path) as base:
            gate.open(base)
            page = new_page()
            page.add_init_script(
                "window.MaillageChatTiming = {pingAfter: 3000, pongTimeout: 2000, connectTimeout: 4000};"
            )
            sign_in(page, gate.base, world.member_b.email, PASSWORD)
            page.goto(f"{gate.base}/mes-adhesions/")
            page.wait_for_timeout(1500)  # the page's socket connects
            gate.black_hole()
            # Written while this phone's socket is dead (to the server directly, not through the relay).
            post_json(
                f"{base}/api/messaging/conversations/{direct.pk}/messages/",
                {"body": "Pendant la coupure", "client_id": str(uuid.uuid4())},
                token,
            )
            time.sleep(6)  # the unanswered ping has given the socket away; attempts now hang
            assert page.get_attribute("#nav-unread", "hidden") is not None
            gate.open(base)
            _wait_for_text(page, "#nav-unread", "1", timeout=25)  # the new socket's unread frame
            assert page.locator("#nav-unread").is_visible()
    finally:
        gate.close(drop=True)
