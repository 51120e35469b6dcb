/* Assembly room: live participation and tallies of the polls on the page.
   The /ws/ socket (messaging) forwards "governance.event" messages of the groups governance.poll.<id>:
   each event refreshes its poll's card at once. Without the socket the script polls the API every
   4 seconds (served from 'self': the Content Security Policy forbids inline scripts). */
(function () {
  var cards = Array.prototype.slice.call(document.querySelectorAll("article[data-live]"));
  if (!cards.length) return;

  function render(card, d) {
    var target = card.querySelector('[data-field="cpts"]');
    if (!target) return;
    var p = d.participation || {};
    var text;
    if (p.total !== undefined) { text = p.total + "/" + p.eligible + " (" + card.dataset.secretLabel + ")"; }
    else if (p.cpts !== undefined) { text = p.cpts + "/" + p.eligible_cpts + " CPTS, " + p.partners + "/" + p.eligible_partners + " " + card.dataset.partnersLabel; }
    else { text = p.bureau + "/" + p.eligible_bureau; }
    if (d.tallies && d.tallies.cpts && card.dataset.kind === "motion") {
      var t = d.tallies.cpts;
      text += " — " + card.dataset.yes + " " + (t.yes || 0) + ", " + card.dataset.no + " " + (t.no || 0) + ", " + card.dataset.abstain + " " + (t.abstain || 0);
    }
    target.textContent = text;
    if (d.turnout) renderTurnout(card, d.turnout);
  }

  // The chair's view: who has voted and who has not (never how), and the warning before closing.
  function renderTurnout(card, rows) {
    var list = card.querySelector("[data-turnout]");
    if (list) {
      while (list.firstChild) list.removeChild(list.firstChild);
      rows.forEach(function (row) {
        var item = document.createElement("li");
        item.className = row.voted ? "voted" : "waiting";
        item.textContent = (row.voted ? "✓ " : "… ") + row.label + " — " + (row.voted ? card.dataset.votedLabel : card.dataset.waitingLabel);
        list.appendChild(item);
      });
    }
    var warning = card.querySelector("[data-missing]");
    if (warning) {
      var missing = rows.filter(function (row) { return !row.voted; }).map(function (row) { return row.label; });
      warning.hidden = missing.length === 0;
      warning.textContent = missing.length ? card.dataset.missingLabel + " (" + missing.length + ") : " + missing.join(", ") + "." : "";
    }
  }

  function refresh(card) {
    fetch(card.dataset.live, {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (d) { render(card, d); })
      .catch(function () {});
  }

  function refreshAll() { cards.forEach(refresh); }

  var live = false;
  function connect() {
    var socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/");
    socket.onopen = function () {
      live = true;
      cards.forEach(function (card) {
        socket.send(JSON.stringify({type: "governance.subscribe", group: "governance.poll." + card.dataset.poll}));
      });
      refreshAll();
    };
    socket.onmessage = function (message) {
      var event = JSON.parse(message.data);
      if (event.type !== "governance.event" || event.poll === null) return;
      cards.forEach(function (card) { if (String(event.poll) === card.dataset.poll) refresh(card); });
    };
    socket.onclose = function () { live = false; setTimeout(connect, 5000); };
  }

  refreshAll();
  setInterval(function () { if (!live) refreshAll(); }, 4000);
  if ("WebSocket" in window) connect();
})();
