// The map of the map page (a Streamlit components-v2 module, run in the app page itself).
//
// The Leaflet map is created once per mounted element and kept across reruns: a rerun only hands over `data`
// (geometry URLs, the values and colours of the features, the selection, labels), never the geometry itself.
// Geometry files are static, content-hashed files (/app/static/vendor/geo/<level>-<hash>.json): fetched once,
// kept by the browser's cache and in memory here. Data strings (names, values, labels) reach the page through
// textContent only, never as HTML.
const GEO_CACHE = new Map(); // url -> Promise<GeoJSON>
const MAPS = new WeakMap(); // parent element -> state
let leafletReady = null;

function loadLeaflet(base) {
  if (window.L && window.L.version) return Promise.resolve(window.L);
  if (leafletReady) return leafletReady;
  leafletReady = new Promise((resolve, reject) => {
    if (!document.querySelector("link[data-gtec-leaflet]")) {
      const css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = base + "/leaflet.css";
      css.dataset.gtecLeaflet = "1";
      document.head.appendChild(css);
    }
    const script = document.createElement("script");
    script.src = base + "/leaflet.js";
    script.onload = () => resolve(window.L);
    script.onerror = () => { leafletReady = null; reject(new Error("leaflet")); };
    document.head.appendChild(script);
  });
  return leafletReady;
}

function geometry(url) {
  if (!GEO_CACHE.has(url)) {
    const p = fetch(url, { cache: "force-cache", credentials: "same-origin" }).then((r) => {
      if (!r.ok) throw new Error("geometry " + r.status);
      return r.json();
    });
    p.catch(() => GEO_CACHE.delete(url));
    GEO_CACHE.set(url, p);
  }
  return GEO_CACHE.get(url);
}

function tooltipNode(name, alias, value, sep) {
  const box = document.createElement("div");
  const b = document.createElement("b");
  b.textContent = name;
  box.appendChild(b);
  box.appendChild(document.createElement("br"));
  box.appendChild(document.createTextNode(alias + (sep || ": ") + value));
  return box;
}

function valueOf(state, f) {
  // values come as a list in the order of the features of the geometry file they were computed for
  const d = state.data;
  if (d.layer_url !== state.loadedUrl) return null;
  return (d.values || [])[f.properties._i] || null;
}

function styleOf(state, f) {
  const d = state.data;
  const v = valueOf(state, f);
  const missing = !v || v[0] < 0;
  const sel = f.id === d.selected;
  return {
    fillColor: missing ? d.missing_colour : d.colours[v[0]],
    fillOpacity: 0.85,
    color: sel ? "#111111" : missing ? "#4d4d4d" : "#ffffff",
    weight: sel ? 3.5 : 0.6,
    dashArray: missing ? "3 3" : null,
  };
}

function refresh(state) {
  // recolour the choropleth in place: no layer is rebuilt, the view is kept
  if (!state.choropleth) return;
  state.choropleth.eachLayer((layer) => {
    layer.setStyle(styleOf(state, layer.feature));
    if (layer.isTooltipOpen()) layer.closeTooltip(); // reopened with the new value on the next move
    if (layer.feature.id === state.data.selected) layer.bringToFront();
  });
  state.root.dataset.gtecValues = String(state.data.stamp || "");
}

function setProvenance(state) {
  const d = state.data;
  state.provenance.textContent = d.provenance || "";
  state.provenance.style.display = d.provenance ? "" : "none";
}

function setBand(state) {
  // demonstration values: a band on the map itself, not only a chip beside the legend
  const text = state.data.demo_band || "";
  state.band.textContent = text;
  state.band.style.display = text ? "" : "none";
}

function setDemo(state) {
  // demonstration values: the whole canvas is hatched as well as banded (screens review M5)
  state.root.classList.toggle("gtec-demo", Boolean(state.data.demo_band));
}

function fitHeight(state) {
  // the map fills the first screen below what is above it (projector: all of France in 720 px), within
  // [min, data.height]; a phone gets a fixed share of its screen
  const d = state.data;
  const top = state.root.getBoundingClientRect().top;
  const h = window.innerWidth < 700
    ? Math.min(d.height, Math.max(300, Math.round(window.innerHeight * 0.55)))
    : Math.min(d.height, Math.max(d.min_height || 360, Math.round(window.innerHeight - top - 16)));
  if (String(h) + "px" !== state.root.style.height) {
    state.root.style.height = h + "px";
    if (state.map) state.map.invalidateSize({ animate: false });
  }
  if (state.provenance) state.provenance.style.maxWidth = Math.max(160, state.root.clientWidth - 140) + "px";
}

function fitView(state) {
  // the source line sits in the bottom right corner over the map: the view keeps clear of it, so no territory
  // (Corsica, the Belgian coast) opens hidden under it
  const d = state.data;
  const below = state.provenance && d.provenance ? state.provenance.offsetHeight + 8 : 4;
  if (d.bounds) state.map.fitBounds(d.bounds, { animate: false, paddingTopLeft: [4, 4], paddingBottomRight: [4, below] });
  else state.map.setView(d.view[0], d.view[1], { animate: false });
}

function drawInsets(state, group) {
  // overseas boxes (their territories were moved into them in the geometry file): a frame and a name each
  const L = window.L;
  for (const [label, bounds] of state.data.insets || []) {
    L.rectangle(bounds, { interactive: false, fill: true, fillColor: "#ffffff", fillOpacity: 0.6,
      color: "#8a8a8a", weight: 1 }).addTo(group);
    const name = document.createElement("span");
    name.textContent = label;
    L.marker([bounds[1][0], bounds[0][1]], { interactive: false, keyboard: false,
      icon: L.divIcon({ className: "gtec-inset-label", html: name, iconSize: null, iconAnchor: [-3, -2] }) })
      .addTo(group);
  }
}

function setTiles(state) {
  const L = window.L;
  if (state.data.tiles && !state.tiles) {
    state.tiles = L.tileLayer(state.data.tile_url, { maxZoom: 18, attribution: state.data.tile_attribution });
    state.tiles.addTo(state.map);
    state.tiles.bringToBack();
  } else if (!state.data.tiles && state.tiles) {
    state.map.removeLayer(state.tiles);
    state.tiles = null;
  }
}

async function setLayers(state, setTriggerValue) {
  const L = window.L;
  const d = state.data;
  const key = JSON.stringify([d.layer_url, d.outline_urls, d.background_url, d.insets]);
  if (key === state.layersKey) { refresh(state); return; }
  state.layersKey = key;
  const wanted = key;
  const [main, outlines, background] = await Promise.all([
    geometry(d.layer_url),
    Promise.all((d.outline_urls || []).map(geometry)),
    d.background_url ? geometry(d.background_url) : Promise.resolve(null),
  ]);
  if (state.layersKey !== wanted) return; // a newer level arrived meanwhile
  state.group.clearLayers();
  main.features.forEach((f, i) => { f.properties._i = i; });
  state.loadedUrl = d.layer_url;
  if (background) {
    L.geoJSON(background, {
      interactive: false,
      style: () => ({ fillColor: "#e4e4df", fillOpacity: 1, color: "#ffffff", weight: 1 }),
    }).addTo(state.group);
  }
  drawInsets(state, state.group);
  state.choropleth = L.geoJSON(main, {
    smoothFactor: 0.5,
    style: (f) => styleOf(state, f),
    onEachFeature: (f, layer) => {
      layer.bindTooltip(() => {
        const v = valueOf(state, f);
        return tooltipNode(f.properties.name, state.data.alias, v && v[0] >= 0 ? v[1] : state.data.no_data,
          state.data.label_sep);
      }, { sticky: true, direction: "auto", className: "gtec-tooltip" }); // "auto": left of the pointer on the right half
      layer.on({
        mouseover: (e) => e.target.setStyle({ weight: 3, color: "#111111", fillOpacity: 0.95 }),
        mouseout: (e) => e.target.setStyle(styleOf(state, f)),
        click: () => { if (state.data.clickable) setTriggerValue("click", f.id); },
      });
    },
  }).addTo(state.group);
  for (const fc of outlines) {
    L.geoJSON(fc, {
      interactive: false,
      style: () => ({ fill: false, color: d.outline_colour, weight: 2.5, opacity: 0.95 }),
    }).addTo(state.group);
  }
  refresh(state);
  state.root.dataset.gtecLayer = d.layer_url;
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let state = MAPS.get(parentElement);
  if (!state) {
    const root = document.createElement("div");
    root.className = "gtec-map";
    root.style.height = data.height + "px";
    root.setAttribute("role", "region");
    root.setAttribute("aria-label", data.aria_label || "");
    parentElement.appendChild(root);
    state = { root, data, map: null, layersKey: null, view: null };
    MAPS.set(parentElement, state);
  }
  state.data = data;
  state.root.setAttribute("aria-label", data.aria_label || "");
  loadLeaflet(data.leaflet_base)
    .then((L) => {
      if (!state.map) {
        state.map = L.map(state.root, { zoomSnap: 0.25, preferCanvas: false, attributionControl: false,
          zoomControl: false });
        L.control.zoom({ position: "topright" }).addTo(state.map); // the top left holds the overseas boxes
        L.control.scale({ imperial: false }).addTo(state.map);
        const prov = L.control({ position: "bottomright" });
        prov.onAdd = () => {
          const div = L.DomUtil.create("div", "gtec-map-provenance");
          state.provenance = div;
          return div;
        };
        prov.addTo(state.map);
        const band = L.control({ position: "topright" });
        band.onAdd = () => {
          const div = L.DomUtil.create("div", "gtec-map-band");
          state.band = div;
          return div;
        };
        band.addTo(state.map);
        state.group = L.featureGroup().addTo(state.map);
        window.gtecMap = state.map; // for tests and debugging in the browser
        window.addEventListener("resize", () => fitHeight(state));
      }
      fitHeight(state);
      setProvenance(state); // before the view: its height is kept clear
      const view = JSON.stringify([data.view, data.bounds]);
      if (view !== state.view) { // a new level: its own view; otherwise the user's zoom is kept
        state.view = view;
        fitView(state);
      }
      setBand(state);
      setDemo(state);
      setTiles(state);
      return setLayers(state, setTriggerValue);
    })
    .catch(() => {
      state.root.textContent = data.error_text || "";
    });
  return () => {}; // the map outlives reruns; it goes away with its element
}
