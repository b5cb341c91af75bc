namespace AutomateAudit.Engine.Html
{
    /// <summary>The page's inline style and script: no external URL of any kind, so the file works offline and in mail.</summary>
    internal static class AuditReportAssets
    {
        public const string Style = @"
:root{--on:#2e9e5b;--off:#d64545;--unk:#b9bec7;--ink:#1f2933;--muted:#616e7c;--line:#e4e7eb;--head:#f5f7fa}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;color:var(--ink);margin:0;background:#fff}
main{max-width:1240px;margin:0 auto;padding:24px 28px 48px}
h1{font-size:26px;margin:0 0 4px}
h2{font-size:19px;margin:34px 0 8px;padding-bottom:4px;border-bottom:2px solid var(--line)}
h3{font-size:15px;margin:16px 0 4px}
.sub{color:var(--muted);margin:0 0 2px}
.note{color:var(--muted);font-size:13px;margin:4px 0 10px}
.omitted{background:#fff8e1;border:1px solid #f0d68a;border-radius:6px;padding:8px 12px;margin:8px 0 12px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:12px;margin-top:18px}
.card{border:1px solid var(--line);border-radius:8px;padding:12px 14px;background:var(--head)}
.card .k{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.card .v{font-size:24px;font-weight:650;margin-top:2px}
.card .d{color:var(--muted);font-size:12px}
.legend{display:flex;gap:16px;flex-wrap:wrap;font-size:12px;color:var(--muted);margin:6px 0}
.sw{display:inline-block;width:12px;height:12px;border-radius:2px;vertical-align:-2px;margin-right:5px}
.sw.on,rect.on{background:var(--on);fill:var(--on)}
.sw.off,rect.off{background:var(--off);fill:var(--off)}
.sw.unk,rect.unk{background:var(--unk);fill:var(--unk)}
rect.day{fill:#fff;opacity:.75}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:middle}
th{background:var(--head);font-weight:600;white-space:nowrap;position:sticky;top:0;z-index:1}
table.sortable th{cursor:pointer;user-select:none}
table.sortable th:after{content:' \2195';color:#9aa5b1;font-size:11px}
table.sortable th[data-nosort]{cursor:default}
table.sortable th[data-nosort]:after{content:''}
table.sortable th[aria-sort=ascending]:after{content:' \25B2';color:var(--ink)}
table.sortable th[aria-sort=descending]:after{content:' \25BC';color:var(--ink)}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.bar{width:46%;min-width:260px;padding-top:3px;padding-bottom:3px}
svg.bar3,svg.timeline{display:block;width:100%}
svg.bar3.fleet{height:18px;margin:12px 0 4px;border-radius:3px}
tr.hidden{display:none}
.st{font-size:12px;padding:1px 7px;border-radius:9px;white-space:nowrap}
.st.Online{background:#e3f5ea;color:#1d6b3d}.st.Offline{background:#fbe4e4;color:#9b2c2c}
.flag{background:#fff3cd;color:#7a5b00;font-size:12px;padding:1px 7px;border-radius:9px;white-space:nowrap}
.tools{display:flex;gap:12px;align-items:center;margin:8px 0}
.tools input{font:inherit;padding:5px 9px;border:1px solid #cbd2d9;border-radius:6px;width:280px}
.tools .count{color:var(--muted);font-size:12px}
.outages{display:grid;grid-template-columns:repeat(auto-fill,minmax(360px,1fr));gap:10px 18px}
.outages section{border:1px solid var(--line);border-radius:8px;padding:8px 12px;break-inside:avoid}
.outages h3{margin:0 0 2px}
.outages table{font-size:12px}
.wrap{overflow-x:auto}
footer{margin-top:36px;color:var(--muted);font-size:12px;border-top:1px solid var(--line);padding-top:8px}
@media print{
 @page{size:A4 landscape;margin:12mm}
 *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
 main{max-width:none;padding:0}
 .tools,.noprint{display:none!important}
 tr.hidden{display:table-row}
 th{position:static}
 h2{break-after:avoid}
 tr,.card{break-inside:avoid}
 thead{display:table-header-group}
 table.sortable th:after{content:''}
 .wrap{overflow:visible}
}";

        /// <summary>Sorting (click a header; numbers sort by data-v) and filtering (text box: rows whose cells contain the text, charts excluded).</summary>
        public const string Script = @"
(function(){
  'use strict';
  function key(td){ if(!td) return ''; var v=td.getAttribute('data-v'); return v!==null ? v : td.textContent.trim().toLowerCase(); }
  function sortTable(table, col, th){
    var tbody=table.tBodies[0]; if(!tbody) return;
    var dir = th.getAttribute('aria-sort')==='ascending' ? 'descending' : 'ascending';
    var ths=table.tHead.rows[0].cells;
    for(var i=0;i<ths.length;i++) ths[i].removeAttribute('aria-sort');
    th.setAttribute('aria-sort', dir);
    var numeric = th.getAttribute('data-type')==='num';
    var rows=Array.prototype.slice.call(tbody.rows);
    rows.sort(function(a,b){
      var x=key(a.cells[col]), y=key(b.cells[col]), r;
      if(numeric){ x=x===''?-Infinity:parseFloat(x); y=y===''?-Infinity:parseFloat(y); r = x<y?-1:x>y?1:0; }
      else r = x.localeCompare(y, undefined, {numeric:true, sensitivity:'base'});
      return dir==='ascending' ? r : -r;
    });
    var frag=document.createDocumentFragment();
    rows.forEach(function(r){ frag.appendChild(r); });
    tbody.appendChild(frag);
  }
  function rowText(r){
    if(r._t===undefined){ var t=[]; for(var i=0;i<r.cells.length;i++) if(!r.cells[i].classList.contains('bar')) t.push(r.cells[i].textContent); r._t=t.join(' | ').replace(/\s+/g,' ').toLowerCase(); }
    return r._t;
  }
  function filterTable(table, text, counter){
    var q=text.replace(/\s+/g,' ').trim().toLowerCase();
    var rows=table.tBodies[0] ? table.tBodies[0].rows : [], shown=0;
    for(var i=0;i<rows.length;i++){
      var ok = q==='' || rowText(rows[i]).indexOf(q)>=0;
      rows[i].classList.toggle('hidden', !ok);
      if(ok) shown++;
    }
    if(counter) counter.textContent = shown + ' of ' + rows.length + ' rows';
  }
  var tables=document.querySelectorAll('table.sortable');
  Array.prototype.forEach.call(tables, function(table){
    var ths=table.tHead.rows[0].cells;
    Array.prototype.forEach.call(ths, function(th, i){
      if(th.hasAttribute('data-nosort')) return;
      th.setAttribute('tabindex','0');
      th.setAttribute('title','Sort');
      th.addEventListener('click', function(){ sortTable(table, i, th); });
      th.addEventListener('keydown', function(e){ if(e.key==='Enter'||e.key===' '){ e.preventDefault(); sortTable(table, i, th); } });
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll('input.filter'), function(input){
    var table=document.getElementById(input.getAttribute('data-table'));
    var counter=document.getElementById(input.getAttribute('data-table')+'-count');
    if(!table) return;
    input.addEventListener('input', function(){ filterTable(table, input.value, counter); });
    filterTable(table, input.value, counter);
  });
})();";
    }
}
