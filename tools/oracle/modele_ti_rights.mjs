#!/usr/bin/env node
// The rights rules of URSSAF's `modele-ti` (betagouv/mon-entreprise) as an oracle for `echeancier.rights`.
//
// usage: ORACLE_DIR=... node tools/oracle/modele_ti_rights.mjs < situations.jsonl > results.jsonl
// Input and setting of the situation: exactly those of modele_ti.mjs (this directory; a copy of the shared
// oracle tool), whose contribution amounts are given too. Output: {"id", "amounts": {...}, "rights": {
//   "trimestres": protection sociale . retraite . base . trimestres (trimestre validé/an),
//   "revenu_cotise": … retraite . base . revenu cotisé (€/an, the model rounds it to the euro),
//   "points": … retraite . complémentaire . RCI . points acquis (the model rounds them to the point),
//   "pension_rci": … retraite . complémentaire . RCI (€/an: points × valeur du point),
//   "raam": … maladie . raam (€/an), "ij": … maladie . arrêt maladie (€/jour, null when not applicable),
// }} or {"id", "error"}. The rules are evaluated, never copied: only their values are kept.
import readline from 'node:readline'
import { pathToFileURL } from 'node:url'
import { evaluateCase, getEngine } from './modele_ti.mjs'

const P = 'protection sociale'
const RIGHTS = {
	trimestres: [`${P} . retraite . base . trimestres`, 'trimestre validé/an'],
	revenu_cotise: [`${P} . retraite . base . revenu cotisé`, '€/an'],
	points: [`${P} . retraite . complémentaire . RCI . points acquis`, 'point'],
	pension_rci: [`${P} . retraite . complémentaire . RCI`, '€/an'],
	raam: [`${P} . maladie . raam`, '€/an'],
	ij: [`${P} . maladie . arrêt maladie`, '€/jour'],
	// the new populations (tests/data/oracle/rights-populations-grid.jsonl): null where not applicable
	cnavpl_points: [`${P} . retraite . base . CNAVPL . points acquis`, 'point'],
	cipav_points: [`${P} . retraite . complémentaire . Cipav . points acquis`, 'point'],
	cipav_pension: [`${P} . retraite . complémentaire . Cipav`, '€/an'],
}

export function evaluateRights(raw) {
	const result = evaluateCase(raw) // sets the situation on the engine
	const engine = getEngine()
	const rights = {}
	for (const [key, [rule, unit]] of Object.entries(RIGHTS)) {
		const value = engine.evaluate({ valeur: rule, unité: unit }).nodeValue
		rights[key] = typeof value === 'number' ? Math.round(value * 10000) / 10000 : null
	}
	return { ...result, rights }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
	const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity })
	for await (const line of rl) {
		if (!line.trim()) continue
		let id = null
		try {
			const c = JSON.parse(line)
			id = c.id ?? null
			process.stdout.write(JSON.stringify(evaluateRights(c)) + '\n')
		} catch (e) {
			process.stdout.write(JSON.stringify({ id, error: String(e?.message ?? e) }) + '\n')
		}
	}
}
