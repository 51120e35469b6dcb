/* Maillage chat page: one websocket per tab (/ws/, protocol in messaging/PROTOCOL.md), REST for history.
   Vanilla JS, no dependency. Survives flaky 4G: reconnects with backoff, then `sync` replays what was missed;
   unsent messages wait in an outbox and are resent with the same client_id (the server never duplicates). */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("chat-config").textContent);
  var t = JSON.parse(document.getElementById("chat-i18n").textContent);
  var me = config.user;
  var $ = function (id) { return document.getElementById(id); };
  var root = $("chat"), list = $("chat-conversations"), stream = $("chat-stream"), messagesEl = $("chat-messages");
  var input = $("chat-input"), form = $("chat-compose"), statusEl = $("chat-status");
  var mentionList = $("chat-mention-list"), errorEl = $("chat-error");

  var conversations = {};   // id -> row {id, title, last_seq, unread, mentions, archived}
  var lastSeq = {};         // id -> highest seq this tab has seen (what `sync` asks after)
  var outbox = [];          // frames not yet acknowledged by a message.new echo
  var current = null;       // open conversation id
  var members = [];         // members of the open conversation (mention autocomplete)
  var replyTo = null, oldestSeq = null, loadingOlder = false, noOlder = false;
  var socket = null, retry = 0, lastTypingSent = 0, typingTimer = null;
  var retryTimer = null, retryAt = 0, countdownTimer = null;
  var readSent = {}, readPending = {}, readTimer = null; // read markers: one frame per conversation, coalesced
  var unread = window.MaillageUnread || { setCounts: function () {}, notify: function () {}, forget: function () {} };

  config.conversations.forEach(function (c) { conversations[c.id] = c; lastSeq[c.id] = c.last_seq; });

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "10000000-1000-4000-8000-100000000000".replace(/[018]/g, function (c) {
      return (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16);
    });
  }
  function csrf() {
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  function api(method, url, body) {
    var options = { method: method, credentials: "same-origin", headers: { "X-CSRFToken": csrf(), "Accept": "application/json" } };
    if (body !== undefined) { options.headers["Content-Type"] = "application/json"; options.body = JSON.stringify(body); }
    return fetch(url, options).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.status === 204 ? null : r.json();
    });
  }

  // --- connection -------------------------------------------------------------------------------
  // The state shows in the sidebar and in a banner above both panes (on a phone, inside an open
  // conversation too), with a live countdown, a "retry now" button and the messages waiting to be sent.
  // Timings in ms. A page may set window.MaillageChatTiming before this script to change them (the
  // browser tests shorten the heartbeat); otherwise these values apply.
  var timing = Object.assign({ connectTimeout: 10000, pingAfter: 25000, pongTimeout: 10000 }, window.MaillageChatTiming || {});
  var openTimer = null, pingTimer = null, pongTimer = null, attemptStarted = 0;
  var banner = $("chat-conn"), bannerText = $("chat-conn-text"), bannerPending = $("chat-conn-pending");
  function setStatus(state, text) {
    statusEl.dataset.state = state; statusEl.textContent = text;
    banner.dataset.state = state; bannerText.textContent = text;
    renderBanner();
  }
  function renderBanner() {
    var waiting = outbox.length, state = statusEl.dataset.state, open = state === "open";
    bannerPending.textContent = waiting ? t.pendingCount.replace("%s", waiting) : "";
    bannerPending.hidden = !waiting;
    banner.hidden = open && !waiting;
    // While an attempt is under way, the button only after a failure (it may be hanging).
    $("chat-conn-retry").hidden = open || (state === "connecting" && !retry);
  }
  function showCountdown() {
    var left = Math.max(0, Math.ceil((retryAt - Date.now()) / 1000));
    setStatus("closed", navigator.onLine === false ? t.offline : t.reconnecting.replace("%s", left));
  }
  function connect() {
    clearTimeout(retryTimer); clearInterval(countdownTimer); retryTimer = countdownTimer = null;
    clearTimeout(openTimer);
    if (socket) dropSocket(socket); // a hanging attempt, given up for this fresh one
    setStatus("connecting", t.connecting);
    var ws = socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/");
    attemptStarted = Date.now();
    // No answer at all (a bad network): give the attempt up and count it as failed.
    openTimer = setTimeout(function () { lost(ws, 1006); }, timing.connectTimeout);
    ws.onopen = function () {
      clearTimeout(openTimer);
      retry = 0;
      setStatus("open", t.connected);
      heard();
      var since = {};
      Object.keys(lastSeq).forEach(function (id) { since[id] = lastSeq[id]; });
      ws.send(JSON.stringify({ type: "sync", since: since }));
      outbox.forEach(function (frame) { ws.send(JSON.stringify(frame)); });
      flushReads();
    };
    ws.onmessage = function (event) { heard(); handle(JSON.parse(event.data)); };
    ws.onclose = function (event) { lost(ws, event.code); };
  }
  function dropSocket(ws) { // no event of it reaches us any more
    ws.onopen = ws.onmessage = ws.onclose = null;
    try { ws.close(); } catch (error) { /* already closed */ }
  }
  function lost(ws, code) { // closed by the server, dropped, hanging or silent: retry later
    if (ws !== socket) return;
    clearTimeout(openTimer); clearTimeout(pingTimer); clearTimeout(pongTimer);
    openTimer = pingTimer = pongTimer = null;
    dropSocket(ws); socket = null;
    if (code === 4401) { location.reload(); return; } // signed out: back to the login page
    if (code === 1009) showError(t.tooLarge);
    // A deploy (4012) closes every socket at once: come back within a second, spread out. A dropped
    // connection: back off (1, 2, 4, 8 s at most), with jitter; focus or the network returning retry now.
    var delay = code === 4012 ? Math.random() : Math.min(8, Math.pow(2, retry++)) * (0.75 + Math.random() / 4);
    retryAt = Date.now() + delay * 1000;
    retryTimer = setTimeout(connect, delay * 1000);
    showCountdown();
    countdownTimer = setInterval(showCountdown, 1000);
  }
  // Heartbeat: browsers hide websocket pings, and a socket that died silently (a phone that changed
  // network) never closes by itself. After `pingAfter` without any frame, or when the page wakes up or
  // a message goes out, ask the server; no frame within `pongTimeout`: the socket is dead, reconnect.
  function heard() {
    clearTimeout(pongTimer); pongTimer = null;
    clearTimeout(pingTimer); pingTimer = setTimeout(probe, timing.pingAfter);
  }
  function probe() {
    var ws = socket;
    if (pongTimer || !ws || ws.readyState !== WebSocket.OPEN) return;
    ws.send(JSON.stringify({ type: "ping" }));
    pongTimer = setTimeout(function () { lost(ws, 1006); }, timing.pongTimeout);
  }
  function reconnectNow(event) {
    if (retryTimer) { connect(); return; }
    if (!socket) return;
    if (socket.readyState === WebSocket.OPEN) { probe(); return; }
    // An attempt still unanswered: the network it went out on may be gone (or back); start afresh,
    // unless it has only just started (the load's own pageshow and focus).
    if (socket.readyState === WebSocket.CONNECTING && (event.type === "online" || event.type === "click" || Date.now() - attemptStarted > 2000)) connect();
  }
  window.addEventListener("online", reconnectNow);
  window.addEventListener("offline", probe); // a socket may survive a short loss; ask rather than guess
  window.addEventListener("focus", reconnectNow);
  window.addEventListener("pageshow", reconnectNow);
  document.addEventListener("visibilitychange", function (event) { if (document.visibilityState === "visible") reconnectNow(event); });
  $("chat-conn-retry").addEventListener("click", reconnectNow);

  function sendFrame(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) { socket.send(JSON.stringify(frame)); return true; }
    return false;
  }

  // --- server frames ----------------------------------------------------------------------------
  function handle(frame) {
    switch (frame.type) {
      case "message.new": onMessage(frame.message, frame); break;
      case "message.updated": replaceMessage(frame.message); break;
      case "message.deleted": markDeleted(frame.message); break;
      case "unread": Object.keys(frame.conversations).forEach(function (id) {
        var c = conversations[id]; if (!c) return;
        c.unread = frame.conversations[id].unread; c.mentions = frame.conversations[id].mentions; renderBadges(id);
      }); pushUnread(); break;
      case "read.updated": break; // the `unread` frame that follows carries the counts
      case "pong": break; // any frame proves the socket alive (heard)
      case "typing": showTyping(frame); break;
      case "conversation.added": addConversation(frame.conversation); break;
      case "conversation.removed": removeConversation(frame.conversation); break;
      case "conversation.updated": if (conversations[frame.conversation.id]) {
        conversations[frame.conversation.id].archived = frame.conversation.archived; if (current === frame.conversation.id) showComposer();
      } break;
      case "error":
        if (frame.code === "server_error" && frame.client_id) { resendLater(frame.client_id); break; } // stays pending
        showError(frame.detail);
        if (frame.code === "not_member" || frame.code === "forbidden") dropFromOutbox(frame.conversation);
        break;
    }
  }

  function onMessage(m, frame) {
    outbox = outbox.filter(function (f) { return f.client_id !== m.client_id; });
    renderBanner();
    var id = m.conversation;
    if (!conversations[id]) return;
    var known = m.seq <= (lastSeq[id] || 0);
    if (!known && m.seq > (lastSeq[id] || 0) + 1) {
      // A gap (a live delivery was lost, e.g. a server restart): replay what is missing.
      var since = {}; since[id] = lastSeq[id] || 0; sendFrame({ type: "sync", since: since });
    }
    lastSeq[id] = Math.max(lastSeq[id] || 0, m.seq);
    if (id === current) {
      var pending = messagesEl.querySelector('[data-client-id="' + m.client_id + '"]');
      if (pending) pending.replaceWith(renderMessage(m));
      else if (!messagesEl.querySelector('[data-seq="' + m.seq + '"]')) appendMessage(m);
      if (document.visibilityState === "visible") markRead();
    } else if (!known && m.author.id !== me.id) {
      var c = conversations[id];
      c.unread = (c.unread || 0) + 1;
      if (m.mentions.indexOf(me.id) >= 0) c.mentions = (c.mentions || 0) + 1;
      renderBadges(id); pushUnread();
    }
    if (!known && !frame.replay && m.author.id !== me.id && (id !== current || document.visibilityState !== "visible")) {
      unread.notify(m, conversations[id]);
    }
  }
  function pushUnread() { // the header badge and the tab title (unread.js)
    var counts = {};
    Object.keys(conversations).forEach(function (id) { counts[id] = conversations[id].unread || 0; });
    unread.setCounts(counts);
  }
  function resendLater(clientId) {
    // The server could not publish (e.g. its channel layer restarting): the message may be stored
    // already; a resend with the same client_id never duplicates it and brings the acknowledgement.
    setTimeout(function () {
      outbox.forEach(function (f) { if (f.client_id === clientId) sendFrame(f); });
    }, 3000);
  }

  // --- rendering --------------------------------------------------------------------------------
  function renderBody(text) {
    var fragment = document.createDocumentFragment(), re = /@\*\*([^*\n]+)\*\*/g, last = 0, match;
    while ((match = re.exec(text))) {
      fragment.appendChild(document.createTextNode(text.slice(last, match.index)));
      var tag = document.createElement("span"); tag.className = "chat-mention-tag"; tag.textContent = "@" + match[1];
      fragment.appendChild(tag); last = re.lastIndex;
    }
    fragment.appendChild(document.createTextNode(text.slice(last)));
    return fragment;
  }

  function renderMessage(m, pending) {
    var li = document.createElement("li");
    li.dataset.seq = m.seq || ""; li.dataset.id = m.id || ""; li.dataset.clientId = m.client_id;
    if (m.author.id === me.id) li.classList.add("mine");
    if (m.mentions && m.mentions.indexOf(me.id) >= 0) li.classList.add("mentions-me");
    if (pending) li.classList.add("pending");
    var meta = document.createElement("div"); meta.className = "chat-meta";
    var author = document.createElement("span"); author.className = "chat-author"; author.textContent = m.author.name;
    var time = document.createElement("time");
    if (m.created_at) { time.dateTime = m.created_at; time.textContent = new Date(m.created_at).toLocaleString(document.documentElement.lang || "fr", { dateStyle: "short", timeStyle: "short" }); }
    else time.textContent = t.pending;
    meta.append(author, time);
    if (m.edited_at && !m.deleted) { var ed = document.createElement("span"); ed.textContent = "(" + t.edited + ")"; meta.append(ed); }
    li.append(meta);
    if (m.reply_to) {
      var quoted = messagesEl.querySelector('[data-id="' + m.reply_to + '"] .chat-body');
      var q = document.createElement("div"); q.className = "chat-quote";
      q.textContent = t.replyTo + " : " + (quoted ? quoted.textContent.slice(0, 80) : "#" + m.reply_to);
      li.append(q);
    }
    var body = document.createElement("p"); body.className = "chat-body";
    if (m.deleted) { body.textContent = t.deleted; body.classList.add("meta"); } else body.append(renderBody(m.body));
    li.append(body);
    if (!m.deleted && m.attachments && m.attachments.length) {
      var files = document.createElement("ul"); files.className = "chat-attachments";
      m.attachments.forEach(function (a) {
        var item = document.createElement("li"), link = document.createElement("a");
        link.href = a.url; link.textContent = "📎 " + a.title + " (" + a.name + ", " + formatSize(a.size) + ")";
        link.setAttribute("download", "");
        item.append(link); files.append(item);
      });
      li.append(files);
    }
    if (!m.deleted && m.id && !conversations[m.conversation].archived) {
      var actions = document.createElement("div"); actions.className = "chat-actions";
      actions.append(button(t.reply, function () { startReply(m); }));
      if (m.author.id === me.id) {
        actions.append(" ", button(t.edit, function () { editMessage(m); }));
        actions.append(" ", button(t.delete, function () { deleteMessage(m); }));
      }
      li.append(actions);
    }
    return li;
  }
  function formatSize(bytes) {
    if (bytes < 1024) return bytes + " o";
    if (bytes < 1024 * 1024) return Math.round(bytes / 1024) + " Ko";
    return (bytes / (1024 * 1024)).toFixed(1).replace(".", ",") + " Mo";
  }
  function button(label, action) {
    var b = document.createElement("button"); b.type = "button"; b.className = "link"; b.textContent = label;
    b.addEventListener("click", action); return b;
  }
  function nearBottom() { return stream.scrollHeight - stream.scrollTop - stream.clientHeight < 80; }
  function appendMessage(m, pending) {
    // A message can arrive live while the history that contains it is loading: one element per seq.
    var existing = m.seq && messagesEl.querySelector('[data-seq="' + m.seq + '"]');
    if (existing) { existing.replaceWith(renderMessage(m)); return; }
    var stick = nearBottom(), later = null;
    if (m.seq) later = Array.prototype.find.call(messagesEl.children, function (li) { return Number(li.dataset.seq) > m.seq; });
    messagesEl.insertBefore(renderMessage(m, pending), later || null);
    if (stick || m.author.id === me.id) stream.scrollTop = stream.scrollHeight;
  }
  function replaceMessage(m) {
    if (m.conversation !== current) return;
    var el = messagesEl.querySelector('[data-id="' + m.id + '"]'); if (el) el.replaceWith(renderMessage(m));
  }
  function markDeleted(m) {
    if (m.conversation !== current) return;
    var el = messagesEl.querySelector('[data-id="' + m.id + '"]');
    if (el) el.replaceWith(renderMessage({ id: m.id, seq: m.seq, conversation: m.conversation, deleted: true, author: { id: 0, name: "" }, client_id: "" }));
  }
  function renderBadges(id) {
    var c = conversations[id], link = list.querySelector('[data-conversation="' + id + '"]'); if (!link || !c) return;
    var unread = link.querySelector(".chat-unread"), mention = link.querySelector(".chat-mention");
    unread.textContent = c.unread; unread.hidden = !c.unread;
    mention.textContent = "@" + c.mentions; mention.hidden = !c.mentions;
  }
  function addConversation(c) {
    if (conversations[c.id]) return;
    conversations[c.id] = { id: c.id, kind: c.kind, title: c.title, last_seq: c.last_seq, unread: 0, mentions: 0, archived: c.archived, federation: c.federation };
    lastSeq[c.id] = c.last_seq;
    var li = document.createElement("li"), a = document.createElement("a");
    a.href = "#c" + c.id; a.dataset.conversation = c.id;
    a.innerHTML = '<span class="chat-conv-title"></span><span class="badge chat-unread" hidden></span><span class="badge chat-mention" hidden></span>';
    a.querySelector(".chat-conv-title").textContent = c.title;
    li.append(a); list.append(li);
  }
  function removeConversation(id) {
    delete conversations[id]; delete lastSeq[id]; unread.forget(id);
    var link = list.querySelector('[data-conversation="' + id + '"]'); if (link) link.parentNode.remove();
    if (current === id) { current = null; messagesEl.textContent = ""; form.hidden = true; $("chat-title").textContent = ""; }
  }
  function showError(text) { errorEl.textContent = text; errorEl.hidden = false; setTimeout(function () { errorEl.hidden = true; }, 6000); }
  function dropFromOutbox(id) { outbox = outbox.filter(function (f) { return f.conversation !== id; }); renderBanner(); }

  // --- opening a conversation, history, infinite scroll back -------------------------------------
  function open(id) {
    id = Number(id); if (!conversations[id]) return;
    current = id; replyTo = null; oldestSeq = null; noOlder = false; $("chat-reply").hidden = true;
    root.dataset.view = "conversation";
    list.querySelectorAll("a").forEach(function (a) { a.setAttribute("aria-current", String(Number(a.dataset.conversation) === id)); });
    $("chat-title").textContent = conversations[id].title;
    $("chat-leave").hidden = true;
    messagesEl.textContent = "";
    showComposer();
    // One request after the other: the embedded SQLite database copes badly with parallel writers.
    $("chat-invite").hidden = true; $("chat-invite-form").hidden = true;
    api("GET", "/api/messaging/conversations/" + id + "/").then(function (detail) {
      members = detail.members.filter(function (m) { return m.id !== me.id; });
      // CPTS channels follow the CPTS membership (cpts_channel_sync): nobody is invited by hand.
      $("chat-invite").hidden = !(detail.is_admin || detail.kind === "direct") || !!detail.archived || detail.kind === "cpts";
      $("chat-leave").hidden = detail.kind === "cpts"; // one leaves it by leaving the CPTS
      var box = $("chat-mssante");
      if (box && detail.notice) box.textContent = detail.notice.mssante.map(function (x) { return x.name + " — " + t.mssante + " " + x.address; }).join(" · ");
      return api("GET", "/api/messaging/conversations/" + id + "/messages/?limit=50");
    }).then(function (page) {
      if (current !== id) return;
      page.results.forEach(function (m) { appendMessage(m); });
      oldestSeq = page.results.length ? page.results[0].seq : null; noOlder = !page.previous;
      lastSeq[id] = Math.max(lastSeq[id] || 0, page.last_seq);
      stream.scrollTop = stream.scrollHeight;
      markRead();
    }).catch(function () { showError(t.loadError); });
  }
  function showComposer() {
    var archived = conversations[current] && conversations[current].archived;
    form.hidden = !!archived; $("chat-archived").hidden = !archived;
  }
  function loadOlder() {
    if (loadingOlder || noOlder || !oldestSeq || current === null) return;
    loadingOlder = true; $("chat-older").hidden = false;
    var id = current, height = stream.scrollHeight;
    api("GET", "/api/messaging/conversations/" + id + "/messages/?limit=50&before=" + oldestSeq).then(function (page) {
      if (current !== id) return;
      var first = messagesEl.firstChild;
      page.results.forEach(function (m) {
        if (!messagesEl.querySelector('[data-seq="' + m.seq + '"]')) messagesEl.insertBefore(renderMessage(m), first);
      });
      if (page.results.length) oldestSeq = page.results[0].seq;
      noOlder = !page.previous;
      stream.scrollTop = stream.scrollHeight - height;
    }).finally(function () { loadingOlder = false; $("chat-older").hidden = true; });
  }
  stream.addEventListener("scroll", function () { if (stream.scrollTop < 60) loadOlder(); });

  // Read markers (issue 17, item 8): one `read` frame per conversation with the highest seq, sent at
  // most every half second, never one per message (80 messages after a reconnect: one frame).
  function markRead() {
    if (current === null) return;
    var c = conversations[current];
    c.unread = 0; c.mentions = 0; renderBadges(current); pushUnread();
    if ((lastSeq[current] || 0) <= (readSent[current] || 0)) return;
    readPending[current] = true;
    if (!readTimer) readTimer = setTimeout(flushReads, 500);
  }
  function flushReads() {
    clearTimeout(readTimer); readTimer = null;
    Object.keys(readPending).forEach(function (id) {
      var seq = lastSeq[id] || 0;
      if (seq <= (readSent[id] || 0)) { delete readPending[id]; return; }
      if (sendFrame({ type: "read", conversation: Number(id), seq: seq })) { readSent[id] = seq; delete readPending[id]; }
    });
  }
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "visible") markRead(); });

  // --- composing: send, reply, edit, delete, typing, mentions ------------------------------------
  // Attachments: the file is uploaded first (it becomes a shared document visible to the members only),
  // then its id goes in the message.send frame; downloads go through the documents' checked view.
  var fileInput = $("chat-file"), fileName = $("chat-file-name"), uploading = false;
  function clearFile() { fileInput.value = ""; fileName.hidden = true; fileName.textContent = ""; }
  fileInput.addEventListener("change", function () {
    var file = fileInput.files[0]; if (!file) { clearFile(); return; }
    fileName.textContent = t.attached + " " + file.name + " ";
    fileName.append(button(t.removeFile, clearFile));
    fileName.hidden = false;
  });
  function uploadFile(conversation, file) {
    var data = new FormData(); data.append("file", file);
    return fetch("/api/messaging/conversations/" + conversation + "/attachments/", {
      method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf(), "Accept": "application/json" }, body: data
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (json) {
        if (!r.ok) throw new Error((json.detail && [].concat(json.detail).join(" ")) || t.uploadError);
        return json;
      });
    });
  }
  function queueMessage(body, attachments) {
    var frame = { type: "message.send", conversation: current, body: body, client_id: uuid(), reply_to: replyTo ? replyTo.id : null };
    if (attachments.length) frame.attachments = attachments.map(function (a) { return a.id; });
    if (new Blob([JSON.stringify(frame)]).size > config.maxFrameBytes) { showError(t.tooLarge); return; }
    outbox.push(frame); renderBanner();
    appendMessage({ conversation: current, client_id: frame.client_id, author: me, body: body, reply_to: frame.reply_to, mentions: [], attachments: attachments }, true);
    sendFrame(frame); // if the socket is down, the outbox goes out after the next `sync`
    probe(); // a socket that died silently would keep it greyed until the next heartbeat
    input.value = ""; replyTo = null; $("chat-reply").hidden = true; hideMentions();
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var body = input.value.trim(), file = fileInput.files[0];
    if ((!body && !file) || current === null || uploading) return;
    if (body.length > config.maxBody) { showError(body.length + " / " + config.maxBody); return; }
    if (!file) { queueMessage(body, []); return; }
    uploading = true; fileName.textContent = t.uploading;
    var conversation = current;
    uploadFile(conversation, file).then(function (attachment) {
      clearFile();
      if (current === conversation) queueMessage(body, [attachment]);
    }).catch(function (error) {
      clearFile(); showError(error.message || t.uploadError);
    }).finally(function () { uploading = false; });
  });
  input.addEventListener("keydown", function (event) {
    if (!mentionList.hidden && handleMentionKeys(event)) return;
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });
  input.addEventListener("input", function () {
    var now = Date.now();
    if (current !== null && now - lastTypingSent > 3000) { lastTypingSent = now; sendFrame({ type: "typing", conversation: current }); }
    updateMentions();
  });
  function startReply(m) {
    replyTo = m; $("chat-reply").hidden = false;
    $("chat-reply-text").textContent = t.replyTo + " " + m.author.name + " : " + m.body.slice(0, 80);
    input.focus();
  }
  $("chat-reply-cancel").addEventListener("click", function () { replyTo = null; $("chat-reply").hidden = true; });
  function editMessage(m) {
    var text = window.prompt(t.editPrompt, m.body); if (text === null || !text.trim()) return;
    api("PATCH", "/api/messaging/messages/" + m.id + "/", { body: text }).catch(function () { showError(t.loadError); });
  }
  function deleteMessage(m) {
    if (!window.confirm(t.confirmDelete)) return;
    api("DELETE", "/api/messaging/messages/" + m.id + "/").catch(function () { showError(t.loadError); });
  }
  function showTyping(frame) {
    if (frame.conversation !== current) return;
    $("chat-typing").textContent = t.typing.replace("%s", frame.user.name);
    clearTimeout(typingTimer); typingTimer = setTimeout(function () { $("chat-typing").textContent = ""; }, 4000);
  }

  var mentionChoices = [], mentionIndex = 0;
  function mentionQuery() {
    var before = input.value.slice(0, input.selectionStart), match = before.match(/(^|\s)@([^\s@*]{0,30})$/);
    return match ? match[2] : null;
  }
  function updateMentions() {
    var query = mentionQuery();
    if (query === null) return hideMentions();
    var q = query.toLowerCase();
    mentionChoices = members.filter(function (m) { return m.name.toLowerCase().indexOf(q) >= 0; }).slice(0, 8);
    if (!mentionChoices.length) return hideMentions();
    mentionIndex = 0; mentionList.textContent = "";
    mentionChoices.forEach(function (m, i) {
      var li = document.createElement("li"); li.role = "option"; li.textContent = m.name; li.setAttribute("aria-selected", String(i === 0));
      li.addEventListener("mousedown", function (e) { e.preventDefault(); insertMention(m); });
      mentionList.append(li);
    });
    mentionList.hidden = false;
  }
  function hideMentions() { mentionList.hidden = true; mentionChoices = []; }
  function handleMentionKeys(event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      mentionIndex = (mentionIndex + (event.key === "ArrowDown" ? 1 : mentionChoices.length - 1)) % mentionChoices.length;
      Array.prototype.forEach.call(mentionList.children, function (li, i) { li.setAttribute("aria-selected", String(i === mentionIndex)); });
      event.preventDefault(); return true;
    }
    if (event.key === "Enter" || event.key === "Tab") { event.preventDefault(); insertMention(mentionChoices[mentionIndex]); return true; }
    if (event.key === "Escape") { hideMentions(); return true; }
    return false;
  }
  function insertMention(member) {
    var position = input.selectionStart, before = input.value.slice(0, position);
    var start = before.lastIndexOf("@");
    input.value = before.slice(0, start) + "@**" + member.name + "** " + input.value.slice(position);
    input.selectionStart = input.selectionEnd = start + member.name.length + 5;
    hideMentions(); input.focus();
  }

  // --- navigation -------------------------------------------------------------------------------
  list.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-conversation]"); if (!link) return;
    event.preventDefault(); history.replaceState(null, "", "#c" + link.dataset.conversation); open(link.dataset.conversation);
  });
  $("chat-back").addEventListener("click", function () { root.dataset.view = "list"; });
  document.querySelectorAll("[data-join]").forEach(function (b) {
    b.addEventListener("click", function () {
      api("POST", "/api/messaging/conversations/" + b.dataset.join + "/join/").then(function () { location.reload(); });
    });
  });

  $("chat-leave").addEventListener("click", function () {
    if (current === null || !window.confirm(t.confirmLeave)) return;
    api("DELETE", "/api/messaging/conversations/" + current + "/members/" + me.id + "/").catch(function () { showError(t.loadError); });
  });

  // --- inviting (conversation admins; any member of a direct conversation) -----------------------
  $("chat-invite").addEventListener("click", function () { $("chat-invite-form").hidden = !$("chat-invite-form").hidden; $("chat-invite-q").focus(); });
  $("chat-invite-form").addEventListener("submit", function (event) { event.preventDefault(); });
  var inviteTimer = null;
  $("chat-invite-q").addEventListener("input", function () {
    clearTimeout(inviteTimer);
    inviteTimer = setTimeout(function () {
      var c = conversations[current]; if (!c || !c.federation) return;
      api("GET", "/api/messaging/federations/" + c.federation + "/people/?q=" + encodeURIComponent($("chat-invite-q").value)).then(function (page) {
        var results = $("chat-invite-results"); results.textContent = "";
        var present = {}; members.forEach(function (m) { present[m.id] = true; });
        page.results.filter(function (p) { return !present[p.id]; }).forEach(function (p) {
          var li = document.createElement("li");
          li.append(button(p.name, function () {
            api("POST", "/api/messaging/conversations/" + current + "/members/", { user: p.id }).then(function () {
              members.push(p); li.remove(); showError(t.invited.replace("%s", p.name));
            }).catch(function () { showError(t.createError); });
          }));
          results.append(li);
        });
      });
    }, 250);
  });

  // --- new conversation: people of the chosen federation, picked with checkboxes ------------------
  var newForm = $("chat-new-form");
  if (newForm) {
    var chosen = {}, searchTimer = null;
    var renderPeople = function (people) {
      var results = $("chat-new-results"); results.textContent = "";
      people.forEach(function (p) {
        var li = document.createElement("li"), label = document.createElement("label"), box = document.createElement("input");
        box.type = "checkbox"; box.checked = !!chosen[p.id];
        box.addEventListener("change", function () { if (box.checked) chosen[p.id] = p.name; else delete chosen[p.id]; });
        label.append(box, " " + p.name); li.append(label); results.append(li);
      });
    };
    $("chat-new-search").addEventListener("input", function () {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(function () {
        var slug = $("chat-new-federation").value, q = $("chat-new-search").value;
        api("GET", "/api/messaging/federations/" + slug + "/people/?q=" + encodeURIComponent(q)).then(function (page) { renderPeople(page.results); });
      }, 250);
    });
    newForm.addEventListener("submit", function (event) {
      event.preventDefault();
      api("POST", "/api/messaging/conversations/", {
        kind: $("chat-new-kind").value, federation: $("chat-new-federation").value, title: $("chat-new-title").value,
        members: Object.keys(chosen).map(Number)
      }).then(function (row) { location.hash = "#c" + row.id; location.reload(); }).catch(function () { showError(t.createError); });
    });
  }

  // --- search over the messages the user can see ------------------------------------------------
  $("chat-search").addEventListener("submit", function (event) {
    event.preventDefault();
    var q = $("chat-search-q").value.trim(), results = $("chat-search-results");
    if (q.length < 2) { results.hidden = true; return; }
    api("GET", "/api/messaging/search/?q=" + encodeURIComponent(q)).then(function (page) {
      results.textContent = ""; results.hidden = false;
      if (!page.results.length) { var none = document.createElement("li"); none.className = "meta"; none.textContent = t.noResult; results.append(none); }
      page.results.forEach(function (m) {
        var li = document.createElement("li"), a = document.createElement("a");
        a.href = "#c" + m.conversation;
        a.textContent = m.conversation_title + " — " + m.author.name + " : " + m.body.slice(0, 90);
        a.addEventListener("click", function (e) { e.preventDefault(); history.replaceState(null, "", "#c" + m.conversation); open(m.conversation); });
        li.append(a); results.append(li);
      });
    }).catch(function () { showError(t.loadError); });
  });

  connect();
  var fromHash = location.hash.match(/^#c(\d+)$/);
  if (fromHash) open(fromHash[1]);
  else if (window.matchMedia("(min-width: 40.01rem)").matches && config.conversations.length) open(config.conversations[0].id);
})();
