/* Assembly room: live participation and tallies of the polls on the page.
   The /ws/ socket (messaging) forwards "governance.event" messages of the groups
   governance.poll.<id>; without it this script polls the API every 4 seconds (served from 'self',
   as the Content Security Policy forbids inline scripts). */
// Live participation: the /ws/ socket forwards "governance.event" messages; without it we poll the API.
(function () {
  var cards = document.querySelectorAll("article[data-live]");
  function refresh() {
    cards.forEach(function (card) {
      var target = card.querySelector('[data-field="cpts"]');
      if (!target) return;
      fetch(card.dataset.live, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (d) {
        var p = d.participation || {};
        var text;
        if (p.total !== undefined) { text = p.total + "/" + p.eligible + " (" + card.dataset.secretLabel + ")"; }
        else if (p.cpts !== undefined) { text = p.cpts + "/" + p.eligible_cpts + " CPTS, " + p.partners + "/" + p.eligible_partners + " " + card.dataset.partnersLabel; }
        else { text = p.bureau + "/" + p.eligible_bureau; }
        if (d.tallies && d.tallies.cpts) {
          var t = d.tallies.cpts;
          if (card.dataset.kind === "motion") { text += " — " + card.dataset.yes + " " + (t.yes || 0) + ", " + card.dataset.no + " " + (t.no || 0) + ", " + card.dataset.abstain + " " + (t.abstain || 0); }
        }
        target.textContent = text;
      }).catch(function () {});
    });
  }
  if (cards.length) { refresh(); setInterval(refresh, 4000); }
})();
