#!/usr/bin/env node
// URSSAF's `modele-ti` Publicodes rules (betagouv/mon-entreprise) as an oracle for the TI contributions.
// Copied from the project's shared oracle tools and extended for the populations grids (tests/data/oracle/README.md):
// a `department` ("971"…"974", "976") sets `établissement . commune . département`; Mayotte's two maladie
// contributions are read too, and its metropolitan-only contributions (not applicable there) count as 0.
//
// usage: node modele_ti.mjs [--tree DIR] [--check] < situations.jsonl > results.jsonl
//   DIR (or $MODELE_TI_TREE, else the path in $ORACLE_DIR/ti/TREE written by setup_modele_ti.sh): an extracted
//   mon-entreprise tree holding modele-ti/règles and modele-commun/règles. publicodes and yaml are loaded from
//   $ORACLE_DIR/ti/node_modules (default ~/.cache/echeancier-oracle/ti), see setup_modele_ti.sh.
//   --check: also print the rules' own warnings (cycles, unknown situation keys) on stderr.
//
// One JSON object a line in, one a line out, in order. Input: the oracle format of make_grid.py
//   {"id", "year", "profession": "artisan"|"commerçant"|"profession libérale", "revenu",
//    "revenu_type": "professionnel"|"brut"|"net", "date_creation"?, "date_cessation"?, "acre"?, "rsa"?}
// or the project's contract (DESIGN.md §4): {"id", "year", "profession": "artisan"|"commercant"|"liberal",
//   "income", "start_date"?, "end_date"?, "acre"?, "rsa"?, "income_is_net"?}.
// revenu_type: "professionnel" sets `indépendant . revenu professionnel` (income up to 2024), "brut" sets
// `indépendant . revenu brut` (from 2025, before contributions and the 26 % abatement), "net" sets
// `indépendant . rémunération . nette` (what the indépendant simulator of mon-entreprise asks as "revenu net":
// chiffre d'affaires − charges − every contribution; the model finds the chiffre d'affaires by its own
// `inversion numérique`). Default: "professionnel" up to 2024, "brut" from 2025; "net" when income_is_net.
// Output: {"id", "amounts": {maladie, indemnites_journalieres, retraite_base, retraite_complementaire,
//   invalidite_deces, allocations_familiales, csg_crds, formation_professionnelle, total,
//   assiette_cotisations, assiette_csg, prorata_temporis, pass, revenu_brut, revenu_professionnel,
//   remuneration_nette, ...}} — amounts in €/an with the model's own rounding — or {"id", "error"}.
//
// How the situation is set (as for shared/oracle/public-grid.jsonl): an entreprise individuelle at the régime
// réel (not micro-fiscal), income tax (IR), metropolitan France, no conjoint collaborateur, no optional
// (Madelin/PER) contributions, no replacement or foreign income, no invalidity or age exemption, profession
// libérale non réglementée at the régime général (for a creation before 2019 the model's default would be the
// Cipav: `option régime général` is then set to oui). `date` = 1 January of the income year. Without a
// creation date the model's default applies (01/01/2021: activity started years before). A cessation sets
// `entreprise . en cessation d'activité` and `entreprise . date de cessation`. The amounts are the definitive
// contributions on the real income of the year (not the flat-rate `début activité` figure).
import { createRequire } from 'node:module'
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { homedir } from 'node:os'
import { pathToFileURL } from 'node:url'
import readline from 'node:readline'

const args = process.argv.slice(2)
const opt = (name) => {
	const i = args.indexOf(name)
	return i >= 0 ? args[i + 1] : undefined
}
const check = args.includes('--check')
export const oracleDir =
	process.env.ORACLE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'echeancier-oracle')
export const tiDir = join(oracleDir, 'ti')
export function resolveTree() {
	let tree = opt('--tree') ?? process.env.MODELE_TI_TREE
	if (!tree && existsSync(join(tiDir, 'TREE'))) tree = readFileSync(join(tiDir, 'TREE'), 'utf8').trim()
	if (!tree) {
		console.error('no mon-entreprise tree: pass --tree DIR or set MODELE_TI_TREE (or run oracle/setup_modele_ti.sh)')
		process.exit(2)
	}
	return tree
}

export const req = createRequire(join(tiDir, 'package.json'))
const publicodes = req('publicodes')
const Engine = publicodes.default ?? publicodes
const yaml = req('yaml')

// The compilation of scripts/build-rules.js (@publicodes/tools getModelFromSource on modele-ti/règles then
// modele-commun/règles): every **/*.publicodes file parsed with `yaml`, rules merged, a duplicate is an error.
// (No `importer!` macro is used by these models, so nothing else is resolved.)
function walk(dir) {
	return readdirSync(dir)
		.sort()
		.flatMap((name) => {
			const p = join(dir, name)
			return statSync(p).isDirectory() ? walk(p) : name.endsWith('.publicodes') ? [p] : []
		})
}
export function loadRules(root) {
	const rules = {}
	for (const src of ['modele-ti/règles', 'modele-commun/règles']) {
		const dir = resolve(root, src)
		if (!existsSync(dir)) throw new Error(`missing ${dir}`)
		for (const file of walk(dir)) {
			const parsed = yaml.parse(readFileSync(file, 'utf8'))
			if (parsed == null) continue
			for (const [name, rule] of Object.entries(parsed)) {
				if (name in rules) throw new Error(`duplicated rule ${name} in ${file}`)
				rules[name] = rule
			}
		}
	}
	return rules
}

const logger = {
	log: (m) => check && console.error(m),
	warn: (m) => check && console.error(m),
	error: (m) => console.error(m),
}
let engine
export function getEngine() {
	engine ??= new Engine(loadRules(resolveTree()), {
		logger,
		// as the mon-entreprise site does (engineFactory.ts); values are unaffected
		warn: check ? undefined : { experimentalRules: false, deprecatedSyntax: false },
	})
	return engine
}

const C = 'indépendant . cotisations et contributions'
export const RULES = {
	maladie: `${C} . cotisations . maladie-maternité`,
	indemnites_journalieres: `${C} . cotisations . indemnités journalières`,
	retraite_base: `${C} . cotisations . retraite de base`,
	retraite_complementaire: `${C} . cotisations . retraite complémentaire`,
	invalidite_deces: `${C} . cotisations . invalidité et décès`,
	allocations_familiales: `${C} . cotisations . allocations familiales`,
	csg_crds: `${C} . CSG-CRDS`,
	formation_professionnelle: `${C} . formation professionnelle`,
	total: C,
	assiette_cotisations: `${C} . assiette sociale`,
	assiette_csg: `${C} . assiette CSG-CRDS`,
	revenu_brut: 'indépendant . revenu brut',
	revenu_professionnel: 'indépendant . revenu professionnel',
	remuneration_nette: 'indépendant . rémunération . nette',
	chiffre_affaires: "entreprise . chiffre d'affaires",
	csg_non_deductible: `${C} . CSG-CRDS . non déductible`,
	pass_proratise: 'indépendant . PASS proratisé',
	assiette_indemnites_journalieres: `${C} . cotisations . indemnités journalières . assiette`,
	assiette_retraite_base: `${C} . cotisations . retraite de base . assiette`,
	assiette_invalidite_deces: `${C} . cotisations . invalidité et décès . assiette`,
	// Mayotte (extension for the populations grid): its two maladie contributions (null elsewhere)
	maladie_mayotte_contribution: `${C} . cotisations . maladie-maternité-invalidité-décès-autonomie`,
	maladie_mayotte_cotisation: `${C} . cotisations . maladie-maternité et autonomie`,
	// the flat-rate contributions of the first two years (provisional figure, not the definitive amounts above)
	debut_activite: `${C} . début activité`,
	debut_activite_assiette: `${C} . début activité . assiette forfaitaire`,
	debut_activite_assiette_ij: `${C} . début activité . assiette forfaitaire indemnités journalières`,
}
const ACTIVITE = {
	artisan: 'artisanale', commerçant: 'commerciale', commercant: 'commerciale',
	'profession libérale': 'libérale', liberal: 'libérale',
}
const DEPARTMENTS = {
	'971': 'Guadeloupe', '972': 'Martinique', '973': 'Guyane', '974': 'La Réunion', '976': 'Mayotte',
}
const INCOME_RULE = {
	professionnel: 'indépendant . revenu professionnel',
	brut: 'indépendant . revenu brut',
	net: 'indépendant . rémunération . nette',
}
const frDate = (iso) => {
	const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso)
	if (!m) throw new Error(`bad date ${iso}`)
	return `${m[3]}/${m[2]}/${m[1]}`
}

// Oracle format or project contract -> one normalised case.
export function normalise(c) {
	if ('income' in c) {
		return {
			id: c.id, year: c.year, profession: c.profession, revenu: c.income,
			revenu_type: c.income_is_net ? 'net' : c.year <= 2024 ? 'professionnel' : 'brut',
			date_creation: c.start_date, date_cessation: c.end_date, acre: c.acre, rsa: c.rsa,
			department: c.department,
		}
	}
	return { ...c, revenu_type: c.revenu_type ?? (c.year <= 2024 ? 'professionnel' : 'brut') }
}

export function situationOf(c) {
	const activite = ACTIVITE[c.profession]
	if (!activite) throw new Error(`unknown profession ${c.profession}`)
	const incomeRule = INCOME_RULE[c.revenu_type]
	if (!incomeRule) throw new Error(`unknown revenu_type ${c.revenu_type}`)
	if (!Number.isFinite(c.revenu)) throw new Error('revenu is not a number')
	const s = {
		date: `01/01/${c.year}`,
		'entreprise . imposition': "'IR'",
		'entreprise . imposition . IR . régime micro-fiscal': 'non',
		'entreprise . activité': `'${activite}'`,
		'indépendant . conjoint collaborateur': 'non',
		'indépendant . cotisations et contributions . cotisations facultatives': 'non',
		'situation personnelle . RSA': c.rsa ? 'oui' : 'non',
		[incomeRule]: `${c.revenu} €/an`,
	}
	if (activite === 'libérale') s['entreprise . activité . libérale . réglementée'] = 'non'
	if (c.date_creation) s['entreprise . date de création'] = frDate(c.date_creation)
	// A PLNR created before 2019 stays at the Cipav unless it opted for the régime général (the rules' default is
	// "non"): keep the project's reading, every `liberal` at the régime général.
	if (activite === 'libérale' && c.date_creation && c.date_creation < '2019-01-01')
		s['indépendant . profession libérale . non réglementée . option régime général'] = 'oui'
	if (c.date_cessation) {
		s["entreprise . en cessation d'activité"] = 'oui'
		s['entreprise . date de cessation'] = frDate(c.date_cessation)
	}
	if (c.acre) s[`${C} . cotisations . exonérations . Acre`] = 'oui'
	// Overseas (extension for the populations grid): the model knows the département by name, and only the four
	// DROM and Mayotte (`établissement . commune . département . outre-mer`); 977 and 978 are not overseas there.
	if (c.department) {
		const name = DEPARTMENTS[c.department]
		if (!name) throw new Error(`department ${c.department} is not known to the model`)
		s['établissement . commune . département'] = `'${name}'`
	}
	return s
}

const r2 = (x) => (typeof x === 'number' ? Math.round(x * 100) / 100 : x ?? null)

export function evaluateCase(raw) {
	const c = normalise(raw)
	const engine = getEngine()
	engine.setSituation(situationOf(c))
	const amounts = {}
	for (const [key, rule] of Object.entries(RULES)) {
		amounts[key] = r2(engine.evaluate({ valeur: rule, unité: '€/an' }).nodeValue)
	}
	amounts.taux_1_maladie_percent = r2(
		engine.evaluate({ valeur: `${C} . cotisations . maladie-maternité avant abattements . taux 1`, unité: '%' }).nodeValue)
	amounts.prorata_temporis = r2(engine.evaluate({ valeur: 'entreprise . prorata temporis', unité: '%' }).nodeValue)
	// With a net income: the net the chiffre d'affaires found by the model's inversion really leaves (charges = 0),
	// to see how far the numeric inversion landed from the net asked for.
	if (c.revenu_type === 'net' && typeof amounts.chiffre_affaires === 'number') {
		amounts.net_implied = r2(amounts.chiffre_affaires - amounts.total)
	}
	amounts.pass = r2(engine.evaluate({ valeur: 'plafond sécurité sociale . annuel', unité: '€/an' }).nodeValue)
	for (const k of ['maladie', 'indemnites_journalieres', 'retraite_base', 'retraite_complementaire',
		'invalidite_deces', 'allocations_familiales', 'csg_crds', 'formation_professionnelle', 'total']) {
		// At Mayotte the metropolitan maladie, IJ, retraite complémentaire and invalidité-décès are not applicable.
		if (amounts[k] === null && c.department === '976') amounts[k] = 0
		if (typeof amounts[k] !== 'number') throw new Error(`${RULES[k]} evaluates to ${amounts[k]}`)
	}
	return { id: c.id, amounts }
}

const isMain = import.meta.url === pathToFileURL(process.argv[1]).href
if (isMain) {
	const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity })
	for await (const line of rl) {
		if (!line.trim()) continue
		let id = null
		try {
			const c = JSON.parse(line)
			id = c.id ?? null
			process.stdout.write(JSON.stringify(evaluateCase(c)) + '\n')
		} catch (e) {
			process.stdout.write(JSON.stringify({ id, error: String(e?.message ?? e) }) + '\n')
		}
	}
}
