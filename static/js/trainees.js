// Progressive enhancement for the organiser pages (everything works without it).
// A checkbox with data-select-all="NAME" ticks or clears every checkbox called NAME.
document.addEventListener("change", function (event) {
  var box = event.target;
  var name = box && box.getAttribute && box.getAttribute("data-select-all");
  if (!name) { return; }
  document.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (other) {
    other.checked = box.checked;
  });
});
