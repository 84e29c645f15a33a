// Sahulat report page: progressive enhancement. Everything works without this script (the
// form posts to the server); with it, the phone's location, an inline tap-map, the service's
// questions and nearby reports appear without a round trip. No third-party code.
(function () {
  "use strict";
  var form = document.getElementById("report");
  if (!form) return;
  var lang = form.elements["language"].value;
  var lat = document.getElementById("lat");
  var lon = document.getElementById("lon");
  var point = document.getElementById("point");
  var tr = form.dataset;

  function setPoint(la, lo) {
    lat.value = la.toFixed(6);
    lon.value = lo.toFixed(6);
    point.textContent = (tr.chosen || "") + " " + la.toFixed(5) + ", " + lo.toFixed(5);
    nearby();
  }

  function service() {
    var s = form.querySelector('input[name="service_code"]:checked');
    return s ? s.value : "";
  }

  // Only the chosen service's questions are shown.
  function showQuestions() {
    var code = service();
    var qs = document.querySelectorAll("fieldset.questions");
    for (var i = 0; i < qs.length; i++) qs[i].hidden = qs[i].getAttribute("data-service") !== code;
  }
  form.addEventListener("change", function (e) {
    if (e.target.name === "service_code") { showQuestions(); nearby(); }
    if (e.target.id === "district") filterTehsils();
  });
  var hide = document.querySelectorAll(".js-hide");
  for (var i = 0; i < hide.length; i++) hide[i].hidden = true;
  showQuestions();

  // Tehsils of the chosen district only.
  function filterTehsils() {
    var d = document.getElementById("district").value;
    var groups = document.querySelectorAll("#tehsil optgroup");
    for (var i = 0; i < groups.length; i++) {
      groups[i].disabled = d !== "" && groups[i].getAttribute("data-district") !== d;
    }
  }
  filterTehsils();

  // Nearby open reports of the same service: an HTML fragment from the server.
  var pending = null;
  function nearby() {
    var s = service();
    if (!s || !lat.value || !lon.value) return;
    if (pending) pending.abort();
    pending = new XMLHttpRequest();
    pending.open("GET", "/report/nearby?service=" + encodeURIComponent(s) + "&lat=" + lat.value + "&lon=" + lon.value + "&lang=" + lang);
    pending.onload = function () {
      if (pending.status === 200) document.getElementById("nearby").innerHTML = pending.responseText;
    };
    pending.send();
  }

  // The phone's location.
  var locate = document.getElementById("locate");
  if (locate && navigator.geolocation) {
    locate.hidden = false;
    locate.addEventListener("click", function () {
      point.textContent = tr.locating || "";
      navigator.geolocation.getCurrentPosition(
        function (p) { setPoint(p.coords.latitude, p.coords.longitude); },
        function () { point.textContent = tr.failed || ""; },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    });
  }

  // The district's tehsils as an inline SVG: a tap sets the point. The server draws it with
  // x = (lon - west) * kx and y = (north - lat) * ky, given on the <svg> element.
  function district() {
    var d = document.getElementById("district").value;
    if (d) return d;
    var t = document.getElementById("tehsil");
    var o = t.options[t.selectedIndex];
    return o && o.parentNode.getAttribute ? o.parentNode.getAttribute("data-district") || "" : "";
  }
  function wireMap(svg) {
    var west = +svg.getAttribute("data-west"), north = +svg.getAttribute("data-north");
    var kx = +svg.getAttribute("data-kx"), ky = +svg.getAttribute("data-ky");
    svg.addEventListener("click", function (e) {
      var r = svg.getBoundingClientRect();
      var vb = svg.viewBox.baseVal;
      var x = (e.clientX - r.left) * vb.width / r.width, y = (e.clientY - r.top) * vb.height / r.height;
      var old = svg.querySelector(".pin");
      if (old) old.parentNode.removeChild(old);
      var c = document.createElementNS("http://www.w3.org/2000/svg", "circle");
      c.setAttribute("class", "pin"); c.setAttribute("cx", x); c.setAttribute("cy", y);
      c.setAttribute("r", 5); c.setAttribute("fill", "#a4001d");
      svg.appendChild(c);
      setPoint(north - y / ky, west + x / kx);
    });
  }
  var show = document.getElementById("show-map");
  if (show) {
    show.addEventListener("click", function (e) {
      var d = district();
      if (!d) return; // the server explains what to choose
      e.preventDefault();
      var x = new XMLHttpRequest();
      x.open("GET", "/report/map/" + d + ".svg?lang=" + lang);
      x.onload = function () {
        if (x.status !== 200) return;
        var box = document.getElementById("map");
        box.innerHTML = x.responseText;
        var svg = box.querySelector("svg");
        if (svg) wireMap(svg);
      };
      x.send();
    });
  }

  // Street map with tiles, only when the operator configured a tile server and asked for.
  var street = document.getElementById("street-map");
  if (street) {
    street.hidden = false;
    street.addEventListener("click", function () {
      var css = document.createElement("link");
      css.rel = "stylesheet"; css.href = "/static/vendor/leaflet/leaflet.css";
      document.head.appendChild(css);
      var js = document.createElement("script");
      js.src = "/static/vendor/leaflet/leaflet.js";
      js.onload = function () {
        var box = document.getElementById("street");
        box.hidden = false;
        var m = L.map(box).setView([+lat.value || 27.56, +lon.value || 68.21], 14);
        L.tileLayer(street.getAttribute("data-tiles"), { maxZoom: 19, attribution: "© OpenStreetMap" }).addTo(m);
        var pin = null;
        m.on("click", function (e) {
          if (pin) pin.remove();
          pin = L.circleMarker(e.latlng, { radius: 7, color: "#a4001d" }).addTo(m);
          setPoint(e.latlng.lat, e.latlng.lng);
        });
      };
      document.body.appendChild(js);
    });
  }
})();
