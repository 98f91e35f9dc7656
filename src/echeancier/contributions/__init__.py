"""Contributions of a travailleur indépendant for one income year (CSS L613-3 al. 1: the indicative simulation)."""
