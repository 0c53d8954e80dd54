// Self-contained HTML pages for the reports: one file, inline CSS and script, no external URL
// (no fonts, stylesheets or scripts fetched), so a page opens from disk or an archived CI
// artifact exactly as it was written. Pure: builds text, writes nothing.
import { escapeHtml, formatNumber } from './svg.ts';

const CSS = `
:root { color-scheme: light; }
html { background: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif; color: #1d1d1f; background: #f6f7f9; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 32px 0 6px; padding-top: 12px; border-top: 1px solid #d9dce1; }
h3 { font-size: 15px; margin: 18px 0 6px; }
p { margin: 6px 0; max-width: 1320px; }
p.meta, p.note { color: #555; font-size: 13px; }
p.missing { color: #8a4b00; font-style: italic; }
nav { margin: 10px 0 0; font-size: 13px; }
nav a { margin-right: 14px; color: #2b5797; text-decoration: none; }
nav a:hover { text-decoration: underline; }
ul.anchors { margin: 4px 0 8px; padding-left: 20px; font-size: 13px; color: #333; max-width: 1320px; }
.plots { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; margin: 10px 0; }
svg.plot { display: block; background: #fff; border-radius: 4px; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
details { margin: 8px 0; }
summary { cursor: pointer; color: #2b5797; font-size: 13px; }
.table-wrap { overflow-x: auto; max-width: 100%; margin: 6px 0; }
table.sortable { border-collapse: collapse; background: #fff; font-size: 12px; }
table.sortable th, table.sortable td { padding: 3px 8px; border-bottom: 1px solid #e3e5e8; text-align: left; white-space: nowrap; }
table.sortable th { background: #eef0f3; cursor: pointer; user-select: none; position: sticky; top: 0; }
table.sortable th:hover { background: #e2e6ec; }
table.sortable th.num, table.sortable td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.sortable th[aria-sort="ascending"]::after { content: " \\25B2"; font-size: 9px; }
table.sortable th[aria-sort="descending"]::after { content: " \\25BC"; font-size: 9px; }
table.sortable tbody tr:hover { background: #f4f8ff; }
`;

/**
 * Sorts a table.sortable by the column whose header is clicked (or activated with Enter or
 * Space): numeric columns by number (from data-value, else the cell's text; empty cells last),
 * the others by text with numbers inside compared as numbers. A second click reverses.
 */
const SCRIPT = `
(function () {
  'use strict';
  function cellKey(cell, numeric) {
    if (!cell) return numeric ? NaN : '';
    var raw = cell.getAttribute('data-value');
    var s = raw !== null ? raw : (cell.textContent || '');
    return numeric ? parseFloat(s) : s.trim().toLowerCase();
  }
  function sortTable(table, th, col) {
    var body = table.tBodies[0];
    if (!body) return;
    var numeric = th.classList.contains('num');
    var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
    var rows = Array.prototype.slice.call(body.rows).map(function (row, i) {
      return { row: row, key: cellKey(row.cells[col], numeric), i: i };
    });
    rows.sort(function (a, b) {
      var d;
      if (numeric) {
        var an = isNaN(a.key), bn = isNaN(b.key);
        if (an || bn) return an === bn ? a.i - b.i : (an ? 1 : -1);
        d = (a.key - b.key) * dir;
      } else {
        d = a.key.localeCompare(b.key, 'en', { numeric: true }) * dir;
      }
      return d || a.i - b.i;
    });
    rows.forEach(function (r) { body.appendChild(r.row); });
    Array.prototype.forEach.call(th.parentNode.children, function (h) { h.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
  }
  Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), function (table) {
    var head = table.tHead && table.tHead.rows[0];
    if (!head) return;
    Array.prototype.forEach.call(head.cells, function (th, col) {
      th.addEventListener('click', function () { sortTable(table, th, col); });
      th.addEventListener('keydown', function (e) {
        if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sortTable(table, th, col); }
      });
    });
  });
})();
`;

/** A complete HTML5 document: `bodyHtml` with the report style and the sortable-table script. */
export function htmlPage(title: string, bodyHtml: string): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    bodyHtml,
    `<script>${SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

export interface TableColumn {
  key: string;
  label: string;
  numeric?: boolean;
}

/** A table whose columns sort when their header is clicked (numeric columns by number). */
export function sortableTable(columns: TableColumn[], rows: Record<string, string | number | undefined>[]): string {
  const head = columns.map((col) => `<th scope="col" tabindex="0" data-key="${escapeHtml(col.key)}"${col.numeric ? ' class="num"' : ''}>${escapeHtml(col.label)}</th>`).join('');
  const body = rows
    .map((row) => {
      const cells = columns.map((col) => {
        const v = row[col.key];
        const cls = col.numeric ? ' class="num"' : '';
        if (v === undefined || (typeof v === 'number' && !Number.isFinite(v))) return `<td${cls}></td>`;
        if (typeof v === 'number') return `<td${cls} data-value="${String(v)}">${escapeHtml(formatNumber(v))}</td>`;
        return `<td${cls}>${escapeHtml(v)}</td>`;
      });
      return `<tr>${cells.join('')}</tr>`;
    })
    .join('\n');
  return `<div class="table-wrap"><table class="sortable">\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table></div>`;
}
