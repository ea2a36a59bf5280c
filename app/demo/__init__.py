"""`gatekeeper demo`: a synthetic district to try the gate with in one command."""
