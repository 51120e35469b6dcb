"""A CPTS's contract year (ACI rule sets, contract, missions, indicators, funding, review pack), its members'
register, its projet de santé and fiches action. Top floor, beside messaging: neither imports the other."""
