"""Views computed from all needs: matrices, coverage, personal-data kinds, edition
diff, case catalogue, trace graph, release history. Pure functions where possible."""
