"""Documents sent to the contributor (CSS L613-3 al. 2): the échéancier as a French table, JSON, CSV and ICS."""
