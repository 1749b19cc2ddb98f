/* navigator widget loader. A host page adds
     <script src="https://NAVIGATOR-HOST/widget.js" data-lang="en"></script>
   and gets a chat button that opens the chat in an iframe served by navigator.
   The two talk only through postMessage, each checking the other's origin and window.
   Its few labels, in all twelve languages, are written in by the server below. */
(function () {
  "use strict";

  var DATA = /*NAVIGATOR_DATA*/{};
  var script = document.currentScript;
  // Without its labels (e.g. the raw file under /static/) the loader would show nothing sensible.
  if (!script || !DATA.labels || window.navigatorWidgetLoaded) { return; }
  window.navigatorWidgetLoaded = true;

  var ESC_WINDOW = 1500; // two Esc presses this close together mean "quick exit"
  var origin = new URL(script.src, location.href).origin;
  var exitUrl = script.getAttribute("data-exit-url") || "https://www.google.ca/";
  if (!/^https?:\/\//.test(exitUrl)) { exitUrl = "https://www.google.ca/"; }

  function pickLanguage(value) {
    var tags = Object.keys(DATA.labels);
    var tag = String(value || "").replace("_", "-").toLowerCase();
    var aliases = { "zh": "zh-Hans", "zh-cn": "zh-Hans", "fil": "tl" };
    for (var i = 0; i < tags.length; i += 1) {
      if (tags[i].toLowerCase() === tag) { return tags[i]; }
    }
    if (aliases[tag]) { return aliases[tag]; }
    var primary = tag.split("-")[0];
    return aliases[primary] || (tags.indexOf(primary) >= 0 ? primary : "en");
  }

  var lang = pickLanguage(script.getAttribute("data-lang") || document.documentElement.lang || navigator.language);
  var labels = DATA.labels[lang] || DATA.labels.en;
  var dir = DATA.rtl.indexOf(lang) >= 0 ? "rtl" : "ltr";
  var frame = null;
  var isOpen = false;
  var ready = false; // the chat has loaded and said so: before that it cannot be told anything
  var lastEsc = 0;

  function setStyles(node, styles) {
    // Style properties, not a style attribute: host pages with a strict CSP still allow these.
    Object.keys(styles).forEach(function (name) { node.style.setProperty(name, styles[name]); });
  }

  var button = document.createElement("button");
  button.type = "button";
  button.id = "navigator-launcher";
  button.lang = lang;
  button.dir = dir;
  button.textContent = labels.open_chat;
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", "navigator-chat-frame");
  setStyles(button, {
    "position": "fixed", "bottom": "1rem", "right": "1rem", "z-index": "2147483000",
    "min-height": "44px", "padding": "0.75rem 1.25rem", "border": "2px solid #ffffff",
    "border-radius": "999px", "background": "#0b4f8a", "color": "#ffffff", "cursor": "pointer",
    "font": "600 1rem/1.2 system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif",
    "box-shadow": "0 2px 8px rgba(0, 0, 0, 0.35)"
  });
  button.addEventListener("focus", function () {
    setStyles(button, { "outline": "3px solid #1b1b1b", "outline-offset": "2px", "box-shadow": "0 0 0 6px #ffdd00" });
  });
  button.addEventListener("blur", function () {
    setStyles(button, { "outline": "none", "box-shadow": "0 2px 8px rgba(0, 0, 0, 0.35)" });
  });

  function tellFrame(type) {
    if (frame && frame.contentWindow) {
      frame.contentWindow.postMessage({ source: "navigator-loader", type: type }, origin);
    }
  }

  function place() {
    // On a phone-sized screen (or at 200% zoom) the chat takes the whole window.
    var small = window.innerWidth < 480 || window.innerHeight < 560;
    setStyles(frame, small ? {
      "top": "0", "left": "0", "right": "0", "bottom": "0", "width": "100%", "height": "100%", "border-radius": "0"
    } : {
      "top": "auto", "left": "auto", "right": "1rem", "bottom": "5rem", "width": "min(26rem, calc(100vw - 2rem))",
      "height": "min(42rem, calc(100vh - 6.5rem))", "border-radius": "0.75rem"
    });
  }

  function open() {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.id = "navigator-chat-frame";
      frame.title = labels.title;
      frame.lang = lang;
      frame.src = origin + "/chat?lang=" + encodeURIComponent(lang) + "&origin=" + encodeURIComponent(location.origin);
      frame.setAttribute("referrerpolicy", "no-referrer");
      setStyles(frame, {
        "position": "fixed", "z-index": "2147483001", "border": "1px solid #767676", "background": "#ffffff",
        "box-shadow": "0 4px 24px rgba(0, 0, 0, 0.35)"
      });
      document.body.appendChild(frame);
    }
    place();
    frame.style.display = "block";
    isOpen = true;
    button.setAttribute("aria-expanded", "true");
    frame.focus();
    if (ready) { tellFrame("open"); }
  }

  function close() {
    if (!frame) { return; }
    frame.style.display = "none";
    isOpen = false;
    button.setAttribute("aria-expanded", "false");
    button.focus();
  }

  function quickExit() {
    if (frame) { frame.remove(); }
    button.remove();
    frame = null;
    ready = false;
    // replace(), not assign(): Back must not bring the resident here again.
    location.replace(exitUrl);
  }

  button.addEventListener("click", function () {
    if (isOpen) { close(); } else { open(); }
  });

  window.addEventListener("message", function (event) {
    if (!frame || event.origin !== origin || event.source !== frame.contentWindow) {
      return; // only navigator's own frame may steer the widget
    }
    var data = event.data;
    if (!data || data.source !== "navigator") { return; }
    if (data.type === "ready") {
      ready = true;
      if (isOpen) { tellFrame("open"); }
    } else if (data.type === "close") {
      if (data.escape) { lastEsc = Date.now(); }
      close();
    } else if (data.type === "quick-exit") {
      quickExit();
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !frame) { return; }
    var now = Date.now();
    if (now - lastEsc < ESC_WINDOW) { quickExit(); return; }
    if (isOpen) {
      lastEsc = now;
      close();
    }
  });

  window.addEventListener("resize", function () { if (frame && isOpen) { place(); } });

  function mount() { document.body.appendChild(button); }
  if (document.body) { mount(); } else { document.addEventListener("DOMContentLoaded", mount); }
})();
