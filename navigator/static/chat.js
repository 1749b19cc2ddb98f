/* navigator web chat: the page inside the iframe. Plain JavaScript, no build step.
   Every word it shows comes from the server (the #chat-config JSON block, or
   /chat/labels.json after a language change): nothing here is in English.
   It talks to the page that embeds it only through postMessage, and only with
   the origin the loader named when that origin is on the allow-list. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("chat-config").textContent);
  var labels = config.labels;
  var ESC_WINDOW = 1500; // two Esc presses this close together mean "quick exit"
  var state = { id: null, lang: config.lang, busy: false, safe: false, parentOrigin: null, lastEsc: 0 };

  function $(id) { return document.getElementById(id); }
  var log = $("log");
  var composer = $("composer");
  var input = $("message");
  var composerStatus = $("composer-status");
  var sendForm = $("send-form");
  var sendStatus = $("send-status");
  var safeBox = $("safe");
  var language = $("language");
  var chips = $("chips");

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  /* ---- The page that embeds the chat ---- */

  function originAllowed(origin) {
    return config.origins.some(function (allowed) {
      if (allowed === origin) { return true; }
      // "https://*.example.org" allows any subdomain, as CSP frame-ancestors does.
      var star = allowed.indexOf("://*.");
      if (star < 0) { return false; }
      var scheme = allowed.slice(0, star + 3);
      var suffix = allowed.slice(star + 4);
      return origin.indexOf(scheme) === 0 && origin.slice(-suffix.length) === suffix;
    });
  }

  if (window.parent !== window) {
    var claimed = new URLSearchParams(location.search).get("origin");
    var ancestors = location.ancestorOrigins;
    var actual = ancestors && ancestors.length ? ancestors[0] : claimed;
    if (claimed && claimed === actual && originAllowed(claimed)) {
      state.parentOrigin = claimed;
    }
  }

  function tellParent(type, extra) {
    if (!state.parentOrigin) { return; }
    var message = { source: "navigator", type: type };
    Object.keys(extra || {}).forEach(function (key) { message[key] = extra[key]; });
    window.parent.postMessage(message, state.parentOrigin);
  }

  window.addEventListener("message", function (event) {
    if (!state.parentOrigin || event.origin !== state.parentOrigin || event.source !== window.parent) {
      return; // anyone else's messages are ignored
    }
    var data = event.data;
    if (!data || data.source !== "navigator-loader") { return; }
    if (data.type === "open") { input.focus(); }
  });

  /* ---- Leaving quickly ---- */

  function clearChat() {
    state.id = null;
    clearTimeout(idle.timer);
    clearTimeout(live.timer);
    live.timer = null;
    log.querySelectorAll(".message").forEach(function (node) { node.remove(); });
    input.value = "";
    $("phone").value = "";
    $("consent").checked = false;
    $("send-details").open = false;
    sendForm.hidden = true;
  }

  function quickExit() {
    clearChat();
    if (state.parentOrigin) {
      tellParent("quick-exit");
      return;
    }
    try {
      window.top.location.replace(config.exit_url);
    } catch (error) {
      location.replace(config.exit_url);
    }
  }

  $("quick-exit").addEventListener("click", quickExit);

  var closeButton = $("close-chat");
  if (state.parentOrigin) {
    closeButton.hidden = false;
    closeButton.addEventListener("click", function () { tellParent("close"); });
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var now = Date.now();
    if (now - state.lastEsc < ESC_WINDOW) { quickExit(); return; }
    state.lastEsc = now;
    // One Esc closes the panel; the loader turns a second one into a quick exit.
    tellParent("close", { escape: true });
  });

  /* ---- Writing messages into the log ---- */

  // Phone numbers (905-555-0123, (905) 555-0123, 1-800-..., 2-1-1, 9-8-8, 911, 988) and web links.
  var LINKS = /(https?:\/\/[^\s<>"]+[^\s<>".,;:!?)])|((?:\+?1[ -]?)?\(?\d{3}\)?[ -]\d{3}-\d{4}(?: ext\. \d+)?|\b\d-\d-\d\b|\b(?:911|988|211)\b)/g;

  function telHref(text) {
    var main = text.split(" ext. ");
    var digits = main[0].replace(/\D/g, "");
    if (digits.length === 10) { digits = "+1" + digits; } else if (digits.length === 11) { digits = "+" + digits; }
    return "tel:" + digits + (main[1] ? ";ext=" + main[1] : "");
  }

  function linkify(parent, text) {
    var last = 0;
    text.replace(LINKS, function (match, url, phone, offset) {
      parent.appendChild(document.createTextNode(text.slice(last, offset)));
      var link = el("a", "ltr", match);
      link.dir = "ltr";
      if (url) {
        link.href = url;
        link.target = "_blank";
        link.rel = "noopener noreferrer";
      } else {
        link.href = telHref(phone);
      }
      parent.appendChild(link);
      last = offset + match.length;
      return match;
    });
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function who(text) { return el("p", "who visually-hidden", text); }

  function addMessage(className, lang, dir) {
    var item = el("div", "message " + className);
    item.lang = lang;
    item.dir = dir;
    log.appendChild(item);
    return item;
  }

  function scrollDown(node) {
    node.scrollIntoView({ block: "nearest" });
    log.scrollTop = log.scrollHeight;
  }

  function addResident(text) {
    var item = addMessage("message-resident", state.lang, language.selectedOptions[0].dir || "ltr");
    item.appendChild(who(labels.you));
    item.appendChild(el("p", "text", text));
    scrollDown(item);
  }

  function addNotice(text, className) {
    var item = addMessage("message-notice " + (className || ""), state.lang, document.documentElement.dir);
    item.appendChild(el("p", "text", text));
    scrollDown(item);
  }

  function renderCard(card) {
    var item = el("li", "card");
    var title = el("h3", null, (card.number ? card.number + ". " : "") + card.name);
    title.dir = "auto";
    item.appendChild(title);
    if (card.description) {
      var about = el("p", "about", card.description);
      about.dir = "auto";
      item.appendChild(about);
    }
    if (card.open_now) { item.appendChild(el("p", "open", card.open_now)); }
    if (card.phones.length) {
      var phones = el("ul", "phones");
      card.phones.forEach(function (phone) {
        var entry = el("li");
        if (phone.tel) {
          var call = el("a", "call ltr", (phone.label ? phone.label + ": " : "") + phone.display);
          call.href = phone.tel;
          call.setAttribute("aria-label", phone.call_label + (phone.label ? " (" + phone.label + ")" : ""));
          entry.appendChild(call);
        } else {
          entry.appendChild(el("span", "ltr", phone.display));
        }
        phones.appendChild(entry);
      });
      item.appendChild(phones);
    }
    if (card.details.length) {
      var details = el("details");
      details.open = Boolean(card.expanded);
      details.appendChild(el("summary", null, labels.details));
      var lines = el("ul");
      card.details.forEach(function (line) {
        var row = el("li");
        row.dir = "auto";
        linkify(row, line);
        lines.appendChild(row);
      });
      details.appendChild(lines);
      item.appendChild(details);
    }
    return item;
  }

  // No silent timeout: when the server would start over, the resident is told so, here and then.
  var idle = { timer: null, told: false };

  function armIdleNotice() {
    clearTimeout(idle.timer);
    if (!config.idle_minutes) { return; }
    idle.timer = setTimeout(function () {
      if (state.id) {
        addNotice(labels.idle);
        idle.told = true;
      }
    }, config.idle_minutes * 60000);
  }

  function addReply(data) {
    if (data.restarted && !idle.told) { addNotice(labels.restarted); }
    idle.told = false;
    armIdleNotice();
    var item = addMessage("message-navigator" + (data.crisis ? " message-crisis" : ""), data.language, data.dir);
    item.appendChild(who(labels.navigator));
    if (data.reply.text) {
      var text = el("p", "text");
      linkify(text, data.reply.text);
      item.appendChild(text);
    }
    if (data.reply.cards.length) {
      var cards = el("ul", "cards");
      data.reply.cards.forEach(function (card) { cards.appendChild(renderCard(card)); });
      item.appendChild(cards);
    }
    if (data.reply.quick_replies.length) {
      var quick = el("ul", "quick-replies");
      data.reply.quick_replies.forEach(function (reply) {
        var entry = el("li");
        var button = el("button", "quick-reply", reply.label);
        button.type = "button";
        button.addEventListener("click", function () { send(reply.message, reply.label); });
        entry.appendChild(button);
        quick.appendChild(entry);
      });
      item.appendChild(quick);
    }
    scrollDown(item);
  }

  /* ---- Replies from a person on the team, after a handoff ---- */

  var live = { timer: null, after: 0 };

  function addOperator(text) {
    var item = addMessage("message-operator", state.lang, "auto");
    item.appendChild(who(labels.operator));
    var body = el("p", "text");
    linkify(body, text);
    item.appendChild(body);
    scrollDown(item);
  }

  function pollLive() {
    live.timer = null;
    if (!state.id || !config.live_url) { return; }
    var url = config.live_url + "?conversation_id=" + encodeURIComponent(state.id) + "&after=" + live.after;
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (data) {
      if (!data) { return; }
      data.messages.forEach(function (message) {
        live.after = Math.max(live.after, message.id);
        addOperator(message.text);
      });
      // Keep listening while a person has the conversation or it waits for one.
      if (data.status === "queued" || data.status === "taken") { live.timer = setTimeout(pollLive, 3000); }
    }).catch(function () {
      live.timer = setTimeout(pollLive, 10000);
    });
  }

  // The operator console may add its own script to this page to show operator replies; then that
  // script shows them, not this one, so no reply appears twice.
  var consoleShowsReplies = Boolean(document.querySelector("script[src$='/operator.js']"));

  function listenForPerson() {
    if (!live.timer && config.live_url && !consoleShowsReplies) { live.timer = setTimeout(pollLive, 1000); }
  }

  /* ---- Talking to the server ---- */

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { ok: response.ok, status: response.status, data: data };
      });
    });
  }

  function send(text, shown, quiet) {
    text = (text || "").trim();
    if (!text || state.busy) { return; }
    if (text.length > config.max_message) {
      composerStatus.textContent = labels.too_long;
      return;
    }
    if (!quiet) { addResident(shown || text); }
    state.busy = true;
    composerStatus.textContent = labels.sending;
    var body = { message: text, lang: state.lang };
    if (state.id) { body.conversation_id = state.id; }
    post(config.api, body).then(function (result) {
      if (result.status === 404 && state.id) {
        // The server no longer knows this conversation: start a new one, and say so.
        state.id = null;
        state.busy = false;
        addNotice(labels.restarted);
        send(text, shown, true);
        return;
      }
      if (!result.ok) { throw new Error(String(result.status)); }
      var data = result.data;
      state.id = data.conversation_id;
      state.safe = Boolean(data.safe);
      safeBox.checked = state.safe;
      composerStatus.textContent = "";
      addReply(data);
      if (data.needs.length) { $("suggestions").hidden = true; }
      sendForm.hidden = !data.can_send;
      $("send-offer").hidden = !data.offer_send;
      if (data.offer_send) { $("send-details").open = true; }
      if (data.handoff) { listenForPerson(); }
    }).catch(function () {
      composerStatus.textContent = "";
      addNotice(labels.error, "message-error");
    }).then(function () {
      state.busy = false;
    });
  }

  composer.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    if (!text.trim()) { input.focus(); return; }
    input.value = "";
    send(text);
  });

  // Enter sends, Shift+Enter starts a new line, as in most chats.
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      composer.requestSubmit();
    }
  });

  function bindChips(needs) {
    chips.textContent = "";
    needs.forEach(function (need) {
      var entry = el("li");
      var button = el("button", "chip", need.label);
      button.type = "button";
      button.setAttribute("data-message", need.message);
      entry.appendChild(button);
      chips.appendChild(entry);
    });
  }

  chips.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-message]");
    if (button) { send(button.getAttribute("data-message"), button.textContent); }
  });

  safeBox.addEventListener("change", function () {
    if (safeBox.checked === state.safe) { return; }
    if (state.busy) {
      safeBox.checked = state.safe; // the toggle follows the server's answer, never runs ahead of it
      return;
    }
    // SAFE is the dialogue's own toggle, the same word an SMS resident sends.
    send("SAFE", null, true);
  });

  /* ---- Changing language ---- */

  function applyLabels(data) {
    labels = data.labels;
    state.lang = data.lang;
    document.documentElement.lang = data.lang;
    document.documentElement.dir = data.dir;
    document.querySelectorAll("[data-label]").forEach(function (node) {
      node.textContent = labels[node.getAttribute("data-label")];
    });
    bindChips(data.needs);
  }

  language.addEventListener("change", function () {
    var url = config.labels_url + "?lang=" + encodeURIComponent(language.value);
    fetch(url, { headers: { "Accept": "application/json" } }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(applyLabels).catch(function () {
      addNotice(labels.error, "message-error");
    });
  });

  /* ---- Send these to my phone ---- */

  var SEND_ERRORS = { invalid_phone: "phone_hint", opted_out: "opted_out", limit_reached: "send_limit",
    not_confirmed: "consent_needed", send_failed: "send_failed" };

  sendForm.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!$("consent").checked) {
      sendStatus.textContent = labels.consent_needed;
      $("consent").focus();
      return;
    }
    sendStatus.textContent = labels.sending;
    post(config.send_api, { conversation_id: state.id, phone: $("phone").value, confirm: true })
      .then(function (result) {
        if (result.ok) {
          sendStatus.textContent = labels.sent + " " + result.data.to;
          return;
        }
        var code = result.data && result.data.error ? result.data.error.code : "";
        sendStatus.textContent = labels[SEND_ERRORS[code]] || labels.error;
      }).catch(function () { sendStatus.textContent = labels.error; });
  });

  tellParent("ready");
})();
