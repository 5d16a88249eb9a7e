/* Case comparison: choose up to four cases, filtered by fiscal year and
 * department, and see their checklist coverage side by side.
 *
 * Progressive enhancement: the page already shows the newest cases compared
 * and links to the full grid; this script adds the choice. It reads
 * exports/compare.json (written with the site), keeps the choice in the URL
 * (?case=…&case=…&year=…&department=…, so a comparison can be shared), and
 * builds every element with the DOM API (no HTML strings).
 */
(function () {
  "use strict";

  var LIMIT = 4;
  var controls = document.getElementById("council-compare-controls");
  var result = document.getElementById("council-compare-result");
  if (!controls || !result) {
    return;
  }
  var root = document.documentElement.getAttribute("data-content_root") || "../";

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function select(name, label, options, value) {
    var input = el("select", { name: name, id: "council-compare-" + name });
    options.forEach(function (option) {
      var node = el("option", { value: option[0] }, [option[1]]);
      if (option[0] === value) {
        node.selected = true;
      }
      input.appendChild(node);
    });
    return el("p", {}, [el("label", { for: input.id }, [label]), " ", input]);
  }

  function render(data, chosen) {
    var cases = chosen.map(function (id) {
      return data.cases.find(function (c) { return c.id === id; });
    }).filter(Boolean).slice(0, LIMIT);
    if (!cases.length) {
      return;
    }
    var head = el("tr", {}, [el("th", { scope: "col" }, ["チェックリスト項目"])]);
    cases.forEach(function (c) {
      head.appendChild(el("th", { scope: "col" }, [el("a", { href: root + c.href }, [c.header])]));
    });
    var body = el("tbody");
    var ratio = el("tr", {}, [el("th", { scope: "row" }, ["充足（対策あり/対象項目）"])]);
    cases.forEach(function (c) { ratio.appendChild(el("td", {}, [c.ratio])); });
    body.appendChild(ratio);
    data.items.forEach(function (item, index) {
      var row = el("tr", {}, [el("th", { scope: "row" }, [el("a", { href: root + item.href }, [item.text])])]);
      cases.forEach(function (c) {
        var code = c.status[index];
        row.appendChild(el("td", { class: "council-status-" + code.replace("_", "-") }, [data.statuses[code]]));
      });
      body.appendChild(row);
    });
    var table = el("table", { class: "council-matrix docutils align-default" }, [
      el("caption", {}, ["選んだ案件のチェックリスト充足状況"]), el("thead", {}, [head]), body,
    ]);
    result.replaceChildren(table);
    var note = document.querySelector(".council-compare-default");
    if (note) {
      note.hidden = true;
    }
  }

  function build(data) {
    var params = new URLSearchParams(window.location.search);
    var year = params.get("year") || "";
    var department = params.get("department") || "";
    var chosen = params.getAll("case");
    var years = Array.from(new Set(data.cases.map(function (c) { return String(c.year || ""); })));
    var departments = Array.from(new Set(data.cases.map(function (c) { return c.department; }))).sort();
    var form = el("form", { method: "get", class: "council-compare-form" });
    form.appendChild(select("year", "開始年度", [["", "すべて"]].concat(years.map(function (y) {
      return [y, y + "年度"];
    })), year));
    form.appendChild(select("department", "担当部課", [["", "すべて"]].concat(departments.map(function (d) {
      return [d, d];
    })), department));
    var shown = data.cases.filter(function (c) {
      return (!year || String(c.year) === year) && (!department || c.department === department);
    });
    var list = el("fieldset", {}, [el("legend", {}, ["比較する案件（" + LIMIT + "件まで）"])]);
    shown.forEach(function (c) {
      var id = "council-compare-" + c.id;
      var box = el("input", { type: "checkbox", name: "case", value: c.id, id: id });
      box.checked = chosen.indexOf(c.id) >= 0;
      list.appendChild(el("p", {}, [box, " ", el("label", { for: id }, [c.title + "（" + (c.year || "") + "年度）"])]));
    });
    form.appendChild(list);
    form.appendChild(el("p", {}, [el("button", { type: "submit" }, ["比較する"])]));
    form.addEventListener("change", function (event) {
      if (event.target.name === "year" || event.target.name === "department") {
        form.submit();
      }
    });
    controls.replaceChildren(form);
    render(data, chosen);
  }

  fetch(root + "exports/compare.json")
    .then(function (response) { return response.json(); })
    .then(build)
    .catch(function () { /* the static comparison stays */ });
})();
