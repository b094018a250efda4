(function () {
  'use strict';
  var category = document.getElementById('f-category');
  var status = document.getElementById('f-status');
  var text = document.getElementById('f-text');
  var count = document.getElementById('f-count');
  var checks = Array.prototype.slice.call(document.querySelectorAll('details.check'));
  var groups = Array.prototype.slice.call(document.querySelectorAll('details.group'));

  function openTo(element) {
    for (var node = element; node; node = node.parentElement) {
      if (node.tagName === 'DETAILS') { node.open = true; }
    }
  }

  function apply() {
    var needle = text.value.trim().toLowerCase();
    var filtering = Boolean(category.value || status.value || needle);
    var shown = 0;
    checks.forEach(function (check) {
      var ok = (!category.value || check.dataset.category === category.value) &&
        (!status.value || check.dataset.status === status.value) &&
        (!needle || check.dataset.text.indexOf(needle) !== -1);
      check.hidden = !ok;
      if (ok) { shown += 1; }
    });
    groups.forEach(function (group) {
      var visible = group.querySelectorAll('details.check:not([hidden])').length;
      group.hidden = visible === 0;
      if (filtering && visible) { group.open = true; }
    });
    count.textContent = shown + ' of ' + checks.length + ' shown';
  }

  function follow() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (target) {
      if (target.hidden) { category.value = ''; status.value = ''; text.value = ''; apply(); }
      openTo(target);
      target.scrollIntoView();
    }
  }

  document.addEventListener('click', function (event) {
    var link = event.target.closest && event.target.closest('a[href^="#"]');
    var target = link && document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (target) {
      if (target.hidden) { category.value = ''; status.value = ''; text.value = ''; apply(); }
      openTo(target);
    }
  });
  [category, status].forEach(function (el) { el.addEventListener('change', apply); });
  text.addEventListener('input', apply);
  window.addEventListener('hashchange', follow);
  apply();
  follow();
})();
