/* Territory map (Leaflet, served locally) and territory editing: autocomplete, picking on the map.
   The map draws the communes' outlines from the GeoJSON endpoint; without a tile server (MAP_TILE_URL
   empty) it works on a plain background, offline. Kept out of the HTML: no inline script (CSP). */
(function () {
  "use strict";

  var UNCOVERED = { fillColor: "#ffffff", fillOpacity: 0.75, color: "#b3261e", weight: 1, dashArray: "3 3" };

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text != null) node.textContent = text;
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  function fmt(n) { return Number(n).toLocaleString("fr-FR"); }

  // --- selection of communes to add (chips with hidden inputs of the preview form) ------------------
  var form = document.getElementById("territory-form");
  var selection = form ? form.querySelector("[data-selection]") : null;
  var search = document.getElementById("commune-search");

  function select(code, name) {
    if (!selection || selection.querySelector('input[value="' + code + '"]')) return;
    var chip = el("li", null, { "class": "chip" });
    chip.appendChild(el("span", name + " (" + code + ")"));
    chip.appendChild(el("input", null, { type: "hidden", name: "add", value: code }));
    var remove = el("button", "×", { type: "button", "class": "link", "aria-label": "Retirer " + name + " de la sélection" });
    remove.addEventListener("click", function () { chip.remove(); });
    chip.appendChild(remove);
    selection.appendChild(chip);
    if (search) { search.value = ""; search.placeholder = ""; }
  }

  // --- autocomplete ------------------------------------------------------------------------------------
  if (form && search) {
    var list = document.getElementById("commune-suggestions");
    var timer = null, active = -1, seq = 0;

    var close = function () { list.hidden = true; list.textContent = ""; search.setAttribute("aria-expanded", "false"); active = -1; };
    var options = function () { return Array.prototype.slice.call(list.querySelectorAll("[role=option]")); };
    var choose = function (option) {
      if (!option || option.getAttribute("aria-disabled") === "true") return;
      select(option.dataset.code, option.dataset.name);
      close();
      search.focus();
    };
    var render = function (candidates) {
      list.textContent = "";
      candidates.forEach(function (c, i) {
        var taken = c.holder_slug && c.holder_slug !== form.dataset.cpts;
        var option = el("li", null, { role: "option", id: "commune-option-" + i, "data-code": c.insee_code, "data-name": c.name });
        option.appendChild(el("span", c.name + " "));
        option.appendChild(el("small", c.postal_code + " · " + fmt(c.population) + " hab."));
        if (c.holder_name) {
          option.appendChild(el("small", " — " + (taken ? "tenue par " : "déjà dans le territoire : ") + c.holder_name, { "class": "holder" }));
          option.setAttribute("aria-disabled", "true");
        }
        option.addEventListener("mousedown", function (e) { e.preventDefault(); choose(option); });
        list.appendChild(option);
      });
      if (!candidates.length) list.appendChild(el("li", "Aucune commune trouvée.", { "class": "none" }));
      list.hidden = false;
      search.setAttribute("aria-expanded", "true");
    };
    search.addEventListener("input", function () {
      clearTimeout(timer);
      var q = search.value.trim();
      if (q.length < 2) { close(); return; }
      timer = setTimeout(function () {
        var mine = ++seq;
        fetch(form.dataset.candidates + "?q=" + encodeURIComponent(q), { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (data) { if (mine === seq) render(data); })
          .catch(function () { close(); });
      }, 180);
    });
    search.addEventListener("keydown", function (e) {
      var all = options();
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        if (!all.length) return;
        e.preventDefault();
        active = (active + (e.key === "ArrowDown" ? 1 : all.length - 1)) % all.length;
        all.forEach(function (o, i) { o.setAttribute("aria-selected", i === active ? "true" : "false"); });
        search.setAttribute("aria-activedescendant", all[active].id);
      } else if (e.key === "Enter" && !list.hidden && active >= 0) {
        e.preventDefault();
        choose(all[active]);
      } else if (e.key === "Escape") {
        close();
      }
    });
    search.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  // --- the map ------------------------------------------------------------------------------------------
  var mapEl = document.getElementById("territory-map");
  if (!mapEl || typeof L === "undefined") return;
  var status = document.querySelector("[data-map-status]");
  var legend = document.querySelector("[data-map-legend]");
  var pick = mapEl.dataset.pick === "1";

  fetch(mapEl.dataset.url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
    .then(function (r) {
      if (r.status === 204) return null;
      if (!r.ok) throw new Error(r.status);
      return r.json();
    })
    .then(function (data) {
      if (!data) {
        mapEl.classList.add("empty");
        mapEl.appendChild(el("p", "La carte apparaîtra dès la première commune du territoire.", { "class": "empty" }));
        return;
      }
      draw(data);
    })
    .catch(function () { if (status) status.textContent = "La carte n'a pas pu être chargée."; });

  function draw(data) {
    var summary = data.summary, colours = {}, byId = {};
    summary.cpts.forEach(function (c) { colours[c.id] = c.colour; byId[c.id] = c; });
    var map = L.map(mapEl, { scrollWheelZoom: false, zoomSnap: 0.25, attributionControl: !!mapEl.dataset.tiles });
    if (mapEl.dataset.tiles) {
      L.tileLayer(mapEl.dataset.tiles, { maxZoom: 18, attribution: "© OpenStreetMap", opacity: 0.6 }).addTo(map);
    }
    var highlight = data.highlight, highlighted = [];
    var layer = L.geoJSON(data, {
      style: function (f) {
        var p = f.properties, name = "commune commune-" + p.code;
        if (p.cpts == null) return L.extend({ className: name + " uncovered" }, UNCOVERED);
        var mine = highlight != null && p.cpts === highlight;
        return {
          className: name, fillColor: colours[p.cpts] || "#888", fillOpacity: highlight == null || mine ? 0.7 : 0.35,
          color: mine ? "#1d2430" : "#ffffff", weight: mine ? 1.5 : 0.8
        };
      },
      onEachFeature: function (f, shape) {
        var p = f.properties;
        if (highlight != null && p.cpts === highlight) highlighted.push(shape);
        var line = p.name + " · " + fmt(p.population) + " hab. · " + (p.cpts_name || "aucune CPTS");
        shape.bindTooltip(line, { sticky: true });
        if (!pick) return;
        shape.on("click", function () {
          var box = el("div", null, { "class": "map-popup" });
          box.appendChild(el("strong", p.name));
          box.appendChild(el("div", fmt(p.population) + " hab."));
          if (p.cpts == null) {
            var add = el("button", "Ajouter à la sélection", { type: "button" });
            add.addEventListener("click", function () { select(p.code, p.name); map.closePopup(); });
            box.appendChild(add);
          } else if (p.cpts === highlight) {
            box.appendChild(el("a", "Retirer du territoire…", { href: (form ? form.getAttribute("action") : "apercu/") + "?remove=" + encodeURIComponent(p.code), "class": "button" }));
          } else {
            box.appendChild(el("div", "Tenue par la CPTS « " + p.cpts_name + " » : une commune ne peut pas être sur deux CPTS.", { "class": "holder" }));
          }
          shape.bindPopup(box).openPopup();
        });
      }
    }).addTo(map);
    var bounds = highlighted.length ? L.featureGroup(highlighted).getBounds().pad(0.6) : layer.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds);

    if (status) {
      status.textContent = Math.round(summary.coverage * 100) + " % de la population couverte (" +
        fmt(summary.covered_population) + " / " + fmt(summary.total_population) + " hab.) · " +
        summary.uncovered_communes + " commune(s) sans CPTS";
    }
    if (legend) {
      legend.textContent = "";
      summary.cpts.forEach(function (c) {
        var item = el("li", null, c.id === highlight ? { "class": "current" } : {});
        item.appendChild(el("span", null, { "class": "swatch", style: "background:" + c.colour }));
        item.appendChild(el("span", c.name + (c.member ? "" : " (non membre)")));
        item.appendChild(el("small", " " + fmt(c.population) + " hab. · taille " + c.size_tier));
        legend.appendChild(item);
      });
      var none = el("li");
      none.appendChild(el("span", null, { "class": "swatch uncovered" }));
      none.appendChild(el("span", "Sans CPTS"));
      legend.appendChild(none);
    }
  }
})();
