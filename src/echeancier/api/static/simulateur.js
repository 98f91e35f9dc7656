// Progressive enhancement of the simulator's form: the page works without this script (every field is shown and
// the server refuses, naming the field, a combination the law excludes). With it, a field that cannot apply to the
// chosen activity or place is hidden and disabled (a disabled field is not sent), and the organism that collects
// at the chosen département is named as it is chosen (CSS R613-6).
(function () {
  "use strict";
  var form = document.getElementById("formulaire");
  if (!form) { return; }
  var profession = document.getElementById("profession");
  var department = document.getElementById("department");
  var organism = document.getElementById("organisme");

  // When each optional field applies (the same combinations the core's input layer accepts, contributions/situation.py).
  var applies = {
    // CSS L640-1, R641-1: a section only for a profession libérale réglementée
    section: function (p) { return p === "liberal_reglementee"; },
    // CSS L642-2-2: the conjoint of a réglementée is the section's (at Mayotte the option is accepted and the
    // base is 450 hours of Mayotte's SMIC whatever it says, docs/law-choices.md 340)
    conjoint_collaborateur: function (p) { return p !== "liberal_reglementee"; },
    // CSS D621-4, D635-2: not for a section's own schemes, not at Mayotte
    pension_invalidite_mois: function (p, d) { return p !== "liberal_reglementee" && d !== "976"; },
    // abrogated in 2015, artisans and commerçants only
    exoneration_age: function (p) { return p === "artisan" || p === "commercant"; }
  };

  function update() {
    var p = profession.value;
    var d = department.value;
    Object.keys(applies).forEach(function (name) {
      var box = form.querySelector('[data-field="' + name + '"]');
      if (!box) { return; }
      // a field the server refused stays in view, so that its message can be read and the value corrected
      var on = applies[name](p, d) || box.querySelector('[aria-invalid="true"]') !== null;
      box.hidden = !on;
      box.querySelectorAll("input, select").forEach(function (input) { input.disabled = !on; });
    });
    if (organism) {
      var option = department.options[department.selectedIndex];
      organism.textContent = "";
      if (option && option.dataset.organism) {
        organism.appendChild(document.createTextNode("Organisme de recouvrement : "));
        var name = document.createElement("strong");
        name.id = "organisme-nom";
        name.textContent = option.dataset.organism;
        organism.appendChild(name);
        organism.appendChild(document.createTextNode(" (CSS R613-6)."));
      }
    }
  }

  profession.addEventListener("change", update);
  department.addEventListener("change", update);
  update();
}());
