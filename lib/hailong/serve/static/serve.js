// hailong serve: sortable and filterable tables, the round picker, build progress polling.
// Served from the package (no network); the page works without it, only less handy.
"use strict";

function cellValue(row, index) {
  const text = (row.cells[index] ? row.cells[index].textContent : "").trim();
  const number = text.replace(/\./g, "").replace(",", ".");
  return /^-?\d+(\.\d+)?$/.test(number) ? parseFloat(number) : text.toLocaleLowerCase("vi");
}

function makeSortable(table) {
  const heads = table.tHead ? table.tHead.rows[0].cells : [];
  Array.from(heads).forEach((th, index) => {
    th.tabIndex = 0;
    th.setAttribute("aria-sort", "none");
    const sort = () => {
      const body = table.tBodies[0];
      const ascending = th.getAttribute("aria-sort") !== "ascending";
      Array.from(heads).forEach((h) => h.setAttribute("aria-sort", "none"));
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      const rows = Array.from(body.rows);
      rows.sort((a, b) => {
        const x = cellValue(a, index), y = cellValue(b, index);
        const order = typeof x === "number" && typeof y === "number"
          ? x - y : String(x).localeCompare(String(y), "vi");
        return ascending ? order : -order;
      });
      rows.forEach((r) => body.appendChild(r));
    };
    th.addEventListener("click", sort);
    th.addEventListener("keydown", (e) => { if (e.key === "Enter") sort(); });
  });
}

function makeFilter(select) {
  const table = document.getElementById(select.dataset.filter);
  const column = parseInt(select.dataset.column, 10);
  select.addEventListener("change", () => {
    Array.from(table.tBodies[0].rows).forEach((row) => {
      const value = row.cells[column] ? row.cells[column].textContent.trim() : "";
      row.hidden = select.value !== "" && value !== select.value;
    });
  });
}

function poll(box) {
  const bar = document.getElementById("bar");
  const text = document.getElementById("status-text");
  const failures = document.getElementById("failures");
  const error = document.getElementById("build-error");
  const tick = () => {
    fetch(box.dataset.poll, {credentials: "same-origin", cache: "no-store"})
      .then((r) => r.json())
      .then((s) => {
        text.textContent = s.text || text.textContent;
        bar.max = Math.max(s.total, 1);
        bar.value = s.done;
        failures.replaceChildren(...s.failures.map((f) => {
          const li = document.createElement("li");
          const strong = document.createElement("strong");
          strong.textContent = f.unit;
          li.append(strong, ": " + f.error);
          return li;
        }));
        error.textContent = s.state === "failed" && !s.failures.length ? s.error : "";
        if (s.state === "running") {
          setTimeout(tick, 1000);
        } else if (box.dataset.state === "running") {
          window.location.reload();  // the new reports' links
        }
        box.dataset.state = s.state;
      })
      .catch(() => setTimeout(tick, 3000));
  };
  tick();
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("table.sortable").forEach(makeSortable);
  document.querySelectorAll("select[data-filter]").forEach(makeFilter);
  document.querySelectorAll("select[data-autosubmit]").forEach((s) =>
    s.addEventListener("change", () => s.form.submit()));
  const box = document.querySelector("[data-poll]");
  if (box) poll(box);
});
