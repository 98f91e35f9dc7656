// Progressive enhancement of the simulator's form: the page works without this script (every field is shown and
// the server refuses, naming the field, a combination the law excludes). With it, a field that cannot apply to the
// chosen activity, section or place is hidden and disabled (a disabled field is not sent), and the organism that collects
// at the chosen département is named as it is chosen (CSS R613-6).
(function () {
  "use strict";
  var form = document.getElementById("formulaire");
  if (!form) { return; }
  var profession = document.getElementById("profession");
  var department = document.getElementById("department");
  var organism = document.getElementById("organisme");
  var section = document.getElementById("section");
  var secteur = document.getElementById("secteur");
  // the collectivités of CSS L751-1 (contributions/territory.py OUTRE_MER)
  var overseas = ["971", "972", "973", "974", "977", "978"];

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
    exoneration_age: function (p) { return p === "artisan" || p === "commercant"; },
    // CSS L756-2, D756-4: an activity created in a collectivité of L751-1
    exoneration_debut_outre_mer: function (p, d) { return overseas.indexOf(d) >= 0; },
    // after `section`, whose box holds these: a médecin's secteur conventionnel, the CARCDSF's métier
    secteur: function (p, d, s) { return p === "liberal_reglementee" && s === "carmf"; },
    metier: function (p, d, s) { return p === "liberal_reglementee" && s === "carcdsf"; },
    // CSP L4031-4: a praticien conventionné's CURPS (contributions/situation.py check_health)
    remplacant: function (p, d, s, c) {
      return p === "liberal_reglementee" && (s === "carpimko" || s === "carcdsf" || (s === "carmf" && c !== "non_conventionne"));
    },
    classe_cnbf: function (p, d, s) { return p === "liberal_reglementee" && s === "cnbf"; }
  };

  function update() {
    var p = profession.value;
    var d = department.value;
    var s = section ? section.value : "";
    var c = secteur ? secteur.value : "";
    // in this order: a box inside another (the section's) is decided after the one that holds it
    Object.keys(applies).forEach(function (name) {
      var box = form.querySelector('[data-field="' + name + '"]');
      if (!box) { return; }
      // a field the server refused stays in view, so that its message can be read and the value corrected
      var on = applies[name](p, d, s, c) || box.querySelector('[aria-invalid="true"]') !== null;
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
  if (section) { section.addEventListener("change", update); }
  if (secteur) { secteur.addEventListener("change", update); }
  update();
}());
