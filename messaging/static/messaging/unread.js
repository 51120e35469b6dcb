/* Unread messages on every page (issue 17, item 14): the count in the header badge and in the tab title,
   and, when the user opted in, browser notifications for mentions and direct messages.
   On the chat page chat.js owns the tab's socket and feeds this module (window.MaillageUnread); on the
   other pages this module opens the tab's one socket (/ws/, messaging/PROTOCOL.md) and only listens. */
(function () {
  "use strict";
  var badge = document.getElementById("nav-unread");
  if (!badge) return; // signed out
  var me = Number(badge.dataset.user);
  var label = badge.dataset.label || "%s";
  var baseTitle = document.title.replace(/^\(\d+\+?\) /, "");
  var counts = null; // conversation id -> unread, once the server sent them
  var total = Number(badge.dataset.count || 0);
  var conversations = null; // conversation id -> {kind, title}, for notifications

  function render() {
    badge.textContent = total > 99 ? "99+" : String(total);
    badge.hidden = !total;
    badge.style.display = total ? "inline-block" : "none"; // .badge's display would beat [hidden]
    badge.setAttribute("aria-label", label.replace("%s", total));
    document.title = (total ? "(" + (total > 99 ? "99+" : total) + ") " : "") + baseTitle;
  }
  function recount() {
    total = 0;
    Object.keys(counts).forEach(function (id) { total += counts[id] || 0; });
    render();
  }
  function setCounts(map) { // {id: {unread, ...}} (an `unread` frame) or {id: n}
    counts = counts || {};
    Object.keys(map).forEach(function (id) {
      var value = map[id];
      counts[id] = typeof value === "number" ? value : value.unread;
    });
    recount();
  }
  function forget(id) { if (counts) { delete counts[id]; recount(); } }
  function bump(id) {
    if (!counts) { total += 1; render(); return; }
    counts[id] = (counts[id] || 0) + 1; recount();
  }

  // --- browser notifications (opt-in, kept in this browser) -------------------------------------
  var supported = "Notification" in window;
  function enabled() {
    return supported && Notification.permission === "granted" && localStorage.getItem("maillage.notify") === "1";
  }
  function setEnabled(on) {
    if (!on) { localStorage.setItem("maillage.notify", "0"); return Promise.resolve(false); }
    return Notification.requestPermission().then(function (permission) {
      localStorage.setItem("maillage.notify", permission === "granted" ? "1" : "0");
      return permission === "granted";
    });
  }
  function notify(message, conversation) {
    if (!enabled() || !message || message.author.id === me || message.deleted) return;
    var mention = (message.mentions || []).indexOf(me) >= 0;
    var direct = conversation && conversation.kind === "direct";
    if (!mention && !direct) return;
    var title = (conversation && conversation.title) || badge.dataset.appName || "Maillage";
    var body = message.author.name + " : " + (message.body || "📎").slice(0, 140);
    try {
      var shown = new Notification(title, { body: body, tag: "maillage-" + message.conversation });
      shown.onclick = function () { window.focus(); location.href = "/messagerie/#c" + message.conversation; shown.close(); };
    } catch (error) { /* some mobile browsers only notify from a service worker: the badge still counts */ }
  }
  function loadConversations() {
    if (conversations || !enabled()) return;
    conversations = {};
    fetch("/api/messaging/conversations/", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { results: [] }; })
      .then(function (page) { page.results.forEach(function (c) { conversations[c.id] = { kind: c.kind, title: c.title }; }); })
      .catch(function () { conversations = null; });
  }

  // Opt-in controls: any element with data-notify-toggle (preferences page, chat page).
  function renderToggles() {
    document.querySelectorAll("[data-notify-toggle]").forEach(function (button) {
      var state = button.parentNode.querySelector("[data-notify-state]");
      if (!supported) { button.disabled = true; if (state) state.textContent = button.dataset.unsupported || ""; return; }
      var on = enabled(), denied = Notification.permission === "denied";
      button.textContent = on ? button.dataset.off : button.dataset.on;
      button.setAttribute("aria-pressed", String(on));
      if (state) state.textContent = denied ? button.dataset.denied : (on ? button.dataset.stateOn : button.dataset.stateOff);
    });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-notify-toggle]"); if (!button) return;
    setEnabled(!enabled()).then(function () { renderToggles(); loadConversations(); });
  });
  renderToggles();
  render();

  window.MaillageUnread = { setCounts: setCounts, bump: bump, forget: forget, notify: notify, enabled: enabled };

  if (document.getElementById("chat")) return; // chat.js owns the socket on the chat page
  if (!("WebSocket" in window)) return;

  // --- this tab's socket on the other pages: listen only -----------------------------------------
  // The same guards as chat.js (and the same timings, window.MaillageChatTiming): an attempt with no
  // answer is given up, and a socket silent for `pingAfter` is pinged, then replaced if nothing comes.
  var timing = Object.assign({ connectTimeout: 10000, pingAfter: 25000, pongTimeout: 10000 }, window.MaillageChatTiming || {});
  var socket = null, retry = 0, timer = null, openTimer = null, pingTimer = null, pongTimer = null, started = 0;
  function connect() {
    clearTimeout(timer); clearTimeout(openTimer); timer = null;
    if (socket) drop(socket);
    var ws = socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/");
    started = Date.now();
    openTimer = setTimeout(function () { lost(ws, 1006); }, timing.connectTimeout);
    ws.onopen = function () { clearTimeout(openTimer); retry = 0; heard(); };
    ws.onmessage = function (event) {
      heard();
      var frame = JSON.parse(event.data);
      if (frame.type === "unread") setCounts(frame.conversations);
      else if (frame.type === "conversation.removed") forget(frame.conversation);
      else if (frame.type === "conversation.added" && conversations) conversations[frame.conversation.id] = frame.conversation;
      else if (frame.type === "message.new" && !frame.duplicate && !frame.replay && frame.message.author.id !== me) {
        bump(frame.message.conversation);
        notify(frame.message, conversations && conversations[frame.message.conversation]);
      }
    };
    ws.onclose = function (event) { lost(ws, event.code); };
  }
  function drop(ws) { ws.onopen = ws.onmessage = ws.onclose = null; try { ws.close(); } catch (error) { /* closed */ } }
  function lost(ws, code) {
    if (ws !== socket) return;
    clearTimeout(openTimer); clearTimeout(pingTimer); clearTimeout(pongTimer); openTimer = pingTimer = pongTimer = null;
    drop(ws); socket = null;
    if (code === 4401) return; // signed out
    // After a deploy (4012) every tab reconnects: spread them over a second.
    var delay = code === 4012 ? Math.random() : Math.min(30, Math.pow(2, retry++)) * (0.5 + Math.random() / 2);
    timer = setTimeout(connect, delay * 1000);
  }
  function heard() { clearTimeout(pongTimer); pongTimer = null; clearTimeout(pingTimer); pingTimer = setTimeout(probe, timing.pingAfter); }
  function probe() {
    var ws = socket;
    if (pongTimer || !ws || ws.readyState !== WebSocket.OPEN) return;
    ws.send(JSON.stringify({ type: "ping" }));
    pongTimer = setTimeout(function () { lost(ws, 1006); }, timing.pongTimeout);
  }
  function now(event) { // the network returns, the page shows again
    if (timer) connect();
    else if (socket && socket.readyState === WebSocket.OPEN) probe();
    else if (socket && socket.readyState === WebSocket.CONNECTING && (event.type === "online" || Date.now() - started > 2000)) connect();
  }
  window.addEventListener("online", now);
  document.addEventListener("visibilitychange", function (event) { if (document.visibilityState === "visible") now(event); });
  loadConversations();
  connect();
})();
