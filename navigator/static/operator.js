// The operator console: search while a caller waits, keyboard first; texting results; live conversations.
(function () {
  "use strict";

  var token = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  function $(id) { return document.getElementById(id); }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function typing(target) {
    var tag = (target.tagName || "").toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  // Every state-changing request carries the session's CSRF token.
  function postJson(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": token },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { ok: response.ok, status: response.status, data: data };
      });
    });
  }

  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (response.status === 401) { window.location.reload(); }
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      });
  }

  window.navigatorConsole = { postJson: postJson, getJson: getJson, el: el };

  // ---- search -------------------------------------------------------------------------------
  var form = $("search-form");
  var results = $("results");
  var selected = -1;
  // What the operator set by hand; anything absent is left to what the matcher reads in the text.
  var overrides = {};
  var understood = { needs: [] };

  function items() { return results ? Array.prototype.slice.call(results.querySelectorAll(".result")) : []; }

  function select(index) {
    var all = items();
    if (!all.length) { return; }
    selected = Math.max(0, Math.min(all.length - 1, index));
    all.forEach(function (item, i) {
      item.classList.toggle("selected", i === selected);
      item.setAttribute("aria-current", i === selected ? "true" : "false");
    });
    var link = all[selected].querySelector("a.open-record");
    link.focus();
    all[selected].scrollIntoView({ block: "nearest" });
  }

  function params() {
    var data = new URLSearchParams();
    data.set("q", $("q").value.trim());
    ["municipality", "age", "needs"].forEach(function (name) {
      if (Object.prototype.hasOwnProperty.call(overrides, name)) { data.set(name, overrides[name]); }
    });
    if ($("f-language").value) { data.set("language", $("f-language").value); }
    [["open_now", "f-open"], ["free", "f-free"], ["wheelchair", "f-wheelchair"]].forEach(function (pair) {
      if ($(pair[1]).checked) { data.set(pair[0], "1"); }
    });
    return data;
  }

  function renderChips(chips, crisis) {
    var list = $("chips");
    list.textContent = "";
    chips.forEach(function (chip) {
      var item = el("li", "chip chip-" + chip.kind);
      item.appendChild(el("span", "chip-label", chip.label));
      var remove = el("button", "chip-remove");
      remove.type = "button";
      remove.setAttribute("aria-label", "Remove " + chip.label);
      remove.textContent = "×";
      remove.addEventListener("click", function () {
        if (chip.kind === "needs") {
          overrides.needs = understood.needs.filter(function (code) { return code !== chip.value; }).join(",");
        } else {
          overrides[chip.kind] = "";
        }
        run();
      });
      item.appendChild(remove);
      list.appendChild(item);
    });
    if (!chips.length) { list.appendChild(el("li", "chip-none", "Nothing yet")); }
    $("crisis").hidden = !crisis;
  }

  function renderResult(row, index) {
    var item = el("li", "result");
    item.dataset.id = row.id;
    var title = el("h3");
    var link = el("a", "open-record", row.name);
    link.href = form.dataset.record.replace("ID", encodeURIComponent(row.id));
    link.addEventListener("focus", function () { selected = index; });
    title.appendChild(link);
    item.appendChild(title);
    item.appendChild(el("p", "org", row.organization));
    var phones = el("p", "phones");
    row.phones.forEach(function (phone, i) {
      if (i) { phones.appendChild(document.createTextNode(" · ")); }
      phones.appendChild(el("span", "phone", phone.display));
      if (phone.description) { phones.appendChild(document.createTextNode(" (" + phone.description + ")")); }
    });
    if (!row.phones.length) { phones.textContent = "No phone listed"; }
    item.appendChild(phones);
    item.appendChild(el("p", "open " + (row.open_now === true ? "is-open" : row.open_now === false ? "is-closed" : "unknown"),
                        row.open_text));
    if (row.hours.length) { item.appendChild(el("p", "hours", row.hours.join("; "))); }
    var choose = el("p", "choose");
    var box = el("input");
    box.type = "checkbox";
    box.id = "choose-" + index;
    box.className = "choose-box";
    box.value = row.id;
    var label = el("label", null, "Text this to the caller");
    label.htmlFor = box.id;
    choose.appendChild(box);
    choose.appendChild(label);
    item.appendChild(choose);
    return item;
  }

  function run(push) {
    var data = params();
    var status = $("status");
    status.textContent = "Searching…";
    if (push !== false) { history.replaceState(null, "", "?" + data.toString()); }
    return getJson(form.dataset.api + "?" + data.toString()).then(function (answer) {
      if (!answer.ok) { status.textContent = answer.data.error ? answer.data.error.message : "Search failed."; return; }
      var body = answer.data;
      understood = body.understood;
      renderChips(body.chips, body.understood.crisis);
      $("f-municipality").value = body.understood.municipality || "";
      $("f-age").value = body.understood.age === null ? "" : body.understood.age;
      results.textContent = "";
      body.results.forEach(function (row, i) { results.appendChild(renderResult(row, i)); });
      selected = -1;
      var note = body.relaxed.length ? " (nothing matched every filter, so without: " + body.relaxed.join(", ") + ")" : "";
      var count = body.results.length === 1 ? "1 result" : body.results.length + " results";
      status.textContent = body.results.length ? count + note : "No results. Try fewer filters.";
      document.dispatchEvent(new CustomEvent("navigator:results"));
    });
  }

  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      overrides = {};  // a new description is read afresh
      run();
    });
    $("f-municipality").addEventListener("change", function () { overrides.municipality = this.value; run(); });
    $("f-age").addEventListener("change", function () { overrides.age = this.value; run(); });
    $("f-need").addEventListener("change", function () {
      if (!this.value) { return; }
      var needs = understood.needs.slice();
      if (needs.indexOf(this.value) < 0) { needs.push(this.value); }
      overrides.needs = needs.join(",");
      this.value = "";
      run();
    });
    ["f-language", "f-open", "f-free", "f-wheelchair"].forEach(function (id) {
      $(id).addEventListener("change", function () { run(); });
    });
    // Back from a record: the URL holds the search, so the same results come back.
    var start = new URLSearchParams(window.location.search);
    if (start.get("q") || start.has("needs")) {
      $("q").value = start.get("q") || "";
      ["municipality", "age", "needs"].forEach(function (name) { if (start.has(name)) { overrides[name] = start.get(name); } });
      $("f-language").value = start.get("language") || "";
      $("f-open").checked = start.get("open_now") === "1";
      $("f-free").checked = start.get("free") === "1";
      $("f-wheelchair").checked = start.get("wheelchair") === "1";
      run(false);
    }
  }

  // ---- text this to the caller -----------------------------------------------------------------
  var panel = $("send-panel");
  if (panel && $("send-button")) {
    $("send-button").addEventListener("click", function () {
      var ids = panel.dataset.service ? [panel.dataset.service] : Array.prototype.map.call(
        document.querySelectorAll(".choose-box:checked"), function (box) { return box.value; });
      var status = $("send-status");
      if (!ids.length) { status.textContent = "Tick at least one result first."; return; }
      status.textContent = "Sending…";
      postJson(panel.dataset.api, { phone: $("send-phone").value, language: $("send-language").value, services: ids })
        .then(function (answer) {
          if (answer.ok) {
            status.textContent = "Sent to " + answer.data.to + " (" + answer.data.segments + " text segments" +
              (answer.data.held_for_more ? "; the rest when they reply MORE" : "") + ").";
          } else {
            status.textContent = answer.data.error ? answer.data.error.message : "The text was not sent.";
          }
        });
    });
  }

  // ---- every console page: how many residents wait for a person ---------------------------------
  var liveLink = document.querySelector('a[data-live-count]');
  if (liveLink) {
    var countWaiting = function () {
      getJson(liveLink.dataset.liveCount).then(function (answer) {
        var waiting = answer.data.handoffs.filter(function (h) { return h.status === "queued"; }).length;
        liveLink.textContent = "Live conversations" + (waiting ? " (" + waiting + " waiting)" : "");
        liveLink.classList.toggle("has-waiting", waiting > 0);
      });
    };
    countWaiting();
    window.setInterval(countWaiting, 5000);
  }

  // ---- live conversations: the queue ----------------------------------------------------------
  var queueSection = $("queue-section");
  if (queueSection) {
    var refreshQueue = function () {
      getJson(queueSection.dataset.api).then(function (answer) {
        var list = $("queue");
        list.textContent = "";
        answer.data.handoffs.forEach(function (h) {
          var item = el("li", "handoff handoff-" + h.status);
          var link = el("a", null, "Conversation " + h.id + " (" + h.channel + ", " + h.language + ")");
          link.href = queueSection.dataset.page.replace(/0$/, String(h.id));
          item.appendChild(link);
          var about = h.status === "queued" ? "waiting " + h.waiting_minutes + " min" : "taken by " + h.taken_by;
          item.appendChild(document.createTextNode(" — " + h.reason + "; " + about +
            (h.understood.needs.length ? "; needs: " + h.understood.needs.join(", ") : "")));
          list.appendChild(item);
        });
        $("queue-status").textContent = answer.data.handoffs.length ?
          answer.data.handoffs.length + " conversations" : "Nobody is waiting.";
      });
    };
    refreshQueue();
    window.setInterval(refreshQueue, 3000);
  }

  // ---- live conversations: one conversation -----------------------------------------------------
  var talk = $("conversation");
  if (talk) {
    var shown = 0;
    var refreshTalk = function () {
      getJson(talk.dataset.api).then(function (answer) {
        var h = answer.data.handoff;
        $("handoff-status").textContent = h.status === "queued" ? "Waiting for a person (" + h.reason + ")." :
          h.status === "taken" ? "Taken by " + h.taken_by + "." : "Released back to navigator.";
        $("take").hidden = h.status !== "queued";
        $("release").hidden = !h.mine;
        $("reply-form").hidden = !h.mine;
        var facts = $("understood");
        facts.textContent = "";
        [["Language", h.understood.language], ["Needs", (h.understood.needs || []).join(", ")],
         ["Municipality", h.understood.municipality], ["Age", h.understood.age],
         ["For whom", h.understood.for_whom]].forEach(function (pair) {
          facts.appendChild(el("dt", null, pair[0]));
          facts.appendChild(el("dd", null, pair[1] === null || pair[1] === undefined || pair[1] === "" ? "—" : String(pair[1])));
        });
        var shownList = $("shown-services");
        shownList.textContent = "";
        answer.data.services.forEach(function (service) {
          var item = el("li");
          var link = el("a", null, service.name);
          link.href = talk.dataset.record.replace("ID", encodeURIComponent(service.id));
          item.appendChild(link);
          shownList.appendChild(item);
        });
        if (!answer.data.services.length) { shownList.appendChild(el("li", null, "None yet")); }
        var lines = answer.data.transcript;
        var list = $("transcript");
        for (var i = shown; i < lines.length; i++) {
          var item = el("li", "line-" + lines[i].role);
          item.appendChild(el("span", "role", lines[i].role === "resident" ? "Resident:" :
            lines[i].role === "operator" ? "Operator:" : "Navigator:"));
          item.appendChild(el("span", "text", lines[i].text));
          list.appendChild(item);
        }
        if (lines.length < shown) { list.textContent = ""; shown = 0; refreshTalk(); return; }
        shown = lines.length;
        list.scrollTop = list.scrollHeight;
      });
    };
    $("take").addEventListener("click", function () {
      postJson(talk.dataset.take, {}).then(function (answer) {
        if (!answer.ok) { $("handoff-status").textContent = answer.data.error.message; }
        refreshTalk();
        if (answer.ok) { window.setTimeout(function () { $("reply").focus(); }, 300); }
      });
    });
    $("release").addEventListener("click", function () {
      postJson(talk.dataset.release, {}).then(refreshTalk);
    });
    $("reply-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var text = $("reply").value.trim();
      if (!text) { return; }
      $("reply-status").textContent = "Sending…";
      postJson(talk.dataset.reply, { text: text }).then(function (answer) {
        $("reply-status").textContent = answer.ok ? "Sent." : answer.data.error.message;
        if (answer.ok) { $("reply").value = ""; }
        refreshTalk();
      });
    });
    refreshTalk();
    window.setInterval(refreshTalk, 3000);
  }

  // ---- keyboard -----------------------------------------------------------------------------
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key === "Escape") {
      var back = $("back");
      if (back && !typing(event.target)) {
        event.preventDefault();
        if (document.referrer && new URL(document.referrer).pathname === new URL(back.href).pathname) {
          history.back();
        } else {
          window.location.href = back.href;
        }
        return;
      }
      if (form && typing(event.target)) { event.target.blur(); if (selected >= 0) { select(selected); } }
      return;
    }
    // The box has focus when the console opens: "/" in it while empty is the shortcut, not a character.
    var emptyBox = event.target === $("q") && !$("q").value;
    if (typing(event.target) && !(event.key === "/" && emptyBox)) { return; }
    if (event.key === "/" && $("q")) {
      event.preventDefault();
      $("q").focus();
      $("q").select();
    } else if (event.key === "j" && form) {
      event.preventDefault();
      select(selected + 1);
    } else if (event.key === "k" && form) {
      event.preventDefault();
      select(selected - 1);
    } else if (event.key === "Enter" && form && selected >= 0 && document.activeElement === document.body) {
      items()[selected].querySelector("a.open-record").click();
    }
  });
})();
